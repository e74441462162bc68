"""One-time passwords: random, shown once, meeting the policy by construction."""

import secrets
import string

# No look-alikes (0/O, 1/l/I) so a password read out over the phone survives.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_SYMBOLS = "#%+=@"
_ALL = _LOWER + _UPPER + _DIGITS + _SYMBOLS


def generate_one_time_password(length: int = 14) -> str:
    chars = [secrets.choice(pool) for pool in (_LOWER, _UPPER, _DIGITS, _SYMBOLS)]
    chars += [secrets.choice(_ALL) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    password = "".join(chars)
    assert any(c in string.digits for c in password)
    return password
