"""Masking personal data before it reaches the audit log (个人信息保护, 等保 2.0 三级
"剩余信息保护 / 个人信息保护"): the log proves who changed what without becoming a second copy
of everyone's phone number.

Two rules, applied together:

- By shape, everywhere: mainland mobile numbers (138****5678), landlines (0736-***4567),
  18-character resident ID numbers (first 6 and last 4 kept) and the local part of e-mail
  addresses (z***@example.com), wherever they appear in a text.
- By name: a value under a key that names a phone, mobile, telephone, ID number, ID card or
  e-mail is masked whatever its shape; a value under a key naming a password, token, secret or
  one-time password is dropped altogether (flags such as `must_change_password` and timestamps
  such as `password_changed_at` carry no secret and stay).

Masking is idempotent: a masked value masked again is unchanged.
"""

import itertools
import re
from typing import Any

MASK = "*"

# A mobile number may carry +86 / 0086 and be written 138 1234 5678 or 138-1234-5678.
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z.+])((?:\+|00)86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9A-Za-z])"
)
# A landline with its area code: 0736-1234567, 010 12345678, (0736)1234567, 0736-1234567-801.
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z.])(\(?0\d{2,3}\)?)([- ]?)(\d{3,4})[- ]?(\d{4})(?![0-9A-Za-z])"
)
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"(\d{3}[\dXx])(?![0-9A-Za-z])"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)

_PERSONAL_WORDS = {"phone", "mobile", "tel", "telephone", "cellphone", "email", "idcard"}
_PERSONAL_PAIRS = {("id", "number"), ("id", "no"), ("id", "card"), ("e", "mail")}
_PERSONAL_CHINESE = ("电话", "手机", "身份证", "证件号", "邮箱")
_SECRET_WORDS = {"password", "passwd", "pwd", "token", "secret", "otp", "totp"}
# A key whose last word is one of these names a moment or a state, not the secret itself.
_NOT_A_SECRET_TAIL = {"at", "date", "time", "expires", "changed", "count", "required"}


def mask_text(text: str) -> str:
    """Mask every phone number, ID number and e-mail address found in a text."""
    text = _ID_NUMBER.sub(lambda m: m[1] + MASK * 8 + m[3], text)
    text = _MOBILE.sub(lambda m: (m[1] or "") + m[2] + MASK * 4 + m[4], text)
    text = _LANDLINE.sub(_mask_landline, text)
    return _EMAIL.sub(lambda m: m[1][0] + MASK * 3 + "@" + m[2], text)


def _mask_landline(match: re.Match) -> str:
    area, separator, head, tail = match.groups()
    return area + separator + MASK * len(head) + tail


def mask_whole(value: Any) -> Any:
    """A personal value of any shape: keep a quarter at each end at most, mask the rest.
    Empty values and None stay as they are: "no phone" is not personal data."""
    if value is None or value == "" or isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return {key: mask_whole(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_whole(item) for item in value]
    text = str(value)
    shaped = mask_text(text)
    if shaped != text:
        return shaped
    if MASK in text:
        return text  # masked already
    keep = len(text) // 4
    if keep == 0:
        return MASK * len(text)
    return text[:keep] + MASK * (len(text) - 2 * keep) + text[-keep:]


def _words(key: str) -> list[str]:
    """camelCase, snake_case or kebab-case words, lower case, a plural 's' dropped."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key)
    words = [word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word]
    return [word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words]


def is_personal_key(key: str) -> bool:
    """A key that names a phone, an ID number or an e-mail address (in English or Chinese)."""
    if any(word in key for word in _PERSONAL_CHINESE):
        return True
    words = _words(key)
    return bool(_PERSONAL_WORDS & set(words)) or any(
        pair in _PERSONAL_PAIRS for pair in itertools.pairwise(words)
    )


def is_secret_key(key: str, value: Any) -> bool:
    """A key naming a password, token, secret or one-time password, holding something that could
    be one (booleans and empty values cannot)."""
    words = _words(key)
    if not (_SECRET_WORDS & set(words)) or words[-1] in _NOT_A_SECRET_TAIL:
        return False
    return not _only_flags(value)


def _only_flags(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_only_flags(item) for item in value)
    return value is None or isinstance(value, bool)


def mask(value: Any) -> Any:
    """Mask a JSON-like value (the `changes` of an audit entry) recursively."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            key_text = str(key)
            if is_secret_key(key_text, item):
                continue
            masked[key_text] = mask_whole(item) if is_personal_key(key_text) else mask(item)
        return masked
    if isinstance(value, (list, tuple)):
        return [mask(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        shaped = mask_text(str(value))
        return shaped if shaped != str(value) else value
    return value
