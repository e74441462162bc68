"""Collective codes (用户名（编码）): the collective's login name (seeds 000 附件3 步骤一).

Decisions:
- Digits only. Logins are case-insensitive, and a code read out over the phone or copied from
  a printed notice has no O/0 or l/1 to confuse.
- Nine random digits from `secrets` (the first one not 0, so a spreadsheet does not eat it)
  plus a Luhn check digit: ten digits in all. Codes are not handed out in sequence, so knowing
  one code tells nothing about the next, and a single mistyped digit or a swap of two
  neighbours is caught before any database lookup.
- Collisions (900 million bodies) are retried, checked against collectives and accounts alike.

Legacy codes of the older system are kept when they are usable as a login (see
`legacy_code_problem`), so a collective keeps the code it already knows.
"""

import re
import secrets
import unicodedata
from collections.abc import Callable

from django.utils.translation import gettext as _

CODE_LENGTH = 10
_MAX_ATTEMPTS = 20
_LEGACY_CODE = re.compile(r"[0-9a-z]{4,20}")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?e\+?\d+$")


def luhn_check_digit(body: str) -> str:
    """The digit that makes `body + digit` pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # the rightmost body digit is doubled
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_code(code: str) -> bool:
    """A code of this system: ten ASCII digits, not starting with 0, Luhn check digit last."""
    return (
        isinstance(code, str)
        and len(code) == CODE_LENGTH
        and code.isascii()
        and code.isdigit()
        and code[0] != "0"
        and luhn_check_digit(code[:-1]) == code[-1]
    )


def generate_code() -> str:
    body = secrets.choice("123456789") + "".join(
        secrets.choice("0123456789") for _ in range(CODE_LENGTH - 2)
    )
    return body + luhn_check_digit(body)


def new_unique_code(is_taken: Callable[[str], bool]) -> str:
    """A fresh code that `is_taken` rejects none of; retried on collision."""
    for _attempt in range(_MAX_ATTEMPTS):
        code = generate_code()
        if not is_taken(code):
            return code
    raise RuntimeError("no free collective code after repeated attempts")


def normalize_legacy_code(raw) -> str:
    """The legacy code as a login name: full-width made half-width, trimmed, lower case.
    An integer read from a spreadsheet cell (1234567890.0) is written without its ".0"."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip().lower()


def legacy_code_problem(raw) -> str | None:
    """Why a legacy code cannot serve as a login, or None when it can: 4–20 ASCII letters or
    digits with at least one digit. Letters are allowed because the older system used them;
    they are stored in lower case like every login."""
    code = normalize_legacy_code(raw)
    shown = _shown(raw)
    if not code:
        return _("the code is missing")
    if _SCIENTIFIC.match(code):
        return _(
            "the code %(code)s was turned into scientific notation by a spreadsheet program"
        ) % {"code": shown}
    if not _LEGACY_CODE.fullmatch(code) or not any(char.isdigit() for char in code):
        return _("the code %(code)s is not 4–20 letters or digits") % {"code": shown}
    return None


def _shown(raw) -> str:
    """The code as the file had it (width folded), for messages."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return unicodedata.normalize("NFKC", str(raw)).strip()[:40]
