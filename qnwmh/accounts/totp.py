"""Time-based one-time passwords (RFC 6238: 6 digits, 30-second steps, HMAC-SHA1 as every
authenticator app expects) and recovery codes. Pure functions; storage is domain/two_factor.py."""

import hashlib
import hmac
import secrets
import unicodedata
from datetime import datetime

import pyotp

DIGITS = 6
INTERVAL_SECONDS = 30
# One step either side absorbs clock drift and the seconds it takes to type the code.
TOLERANCE_STEPS = 1
ISSUER = "青年文明号网络协同办公系统"
RECOVERY_CODE_COUNT = 10
# No look-alikes (0/o, 1/l/i), so a code copied onto paper survives.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL_SECONDS)


def new_secret() -> str:
    """160 random bits in base32 (RFC 4226 recommends 160)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app imports (typed or pasted: no QR service)."""
    return _totp(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """'ABCD EFGH …': easier to type into a phone by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalize_code(raw: str) -> str:
    """Full-width digits, spaces and dashes as people type them: '１２３ ４５６' → '123456'."""
    text = unicodedata.normalize("NFKC", raw or "").lower()
    return "".join(ch for ch in text if ch not in " -\t")


def is_totp_code(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_time_step(secret: str, code: str, *, now: datetime, after: int | None = None):
    """The time step whose code equals `code` within ±TOLERANCE_STEPS of `now`, or None.
    Steps at or before `after` (the last accepted one) never match: a code is used once."""
    if not is_totp_code(code):
        return None
    totp = _totp(secret)
    current = totp.timecode(now)
    for step in range(current - TOLERANCE_STEPS, current + TOLERANCE_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator shows at `now` (for tests and the demo)."""
    return _totp(secret).at(now)


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """`count` random codes of 10 characters (about 50 bits each), shown as 'abcde-fghjk'."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_recovery_code(code: str) -> str:
    """Random codes of ~50 bits behind the lockout need no slow hash; a plain digest keeps them
    unreadable at rest and lets the login find one by index."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()
