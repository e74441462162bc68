"""Secrets at rest (等保 2.0 三级 8.1.4.8 b 存储过程中的保密性): the TOTP secret is stored
encrypted, never in clear (docs/security.md).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with keys derived by HKDF-SHA256 from
SECRET_KEY: one secret to guard, not two, and a database dump alone does not hold the keys.
Decryption tries SECRET_KEY, then each of SECRET_KEY_FALLBACKS, so a key rotation works like
Django's own signing: new SECRET_KEY, old one in SECRET_KEY_FALLBACKS, then
`manage.py rotate_field_encryption` re-encrypts every stored secret under the new key, then the
fallback can go. The key derivation is versioned by its `info`, so another use of SECRET_KEY
(sessions, signing) never yields the same key."""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_SALT = b"qnwmh.accounts.encryption"
_INFO = b"totp-secret v1"


class UnreadableSecret(Exception):
    """A stored secret none of the keys opens: SECRET_KEY changed without its predecessor in
    SECRET_KEY_FALLBACKS. Loud on purpose: the fix is configuration, not data."""


def derive_key(secret_key: str) -> bytes:
    """The Fernet key (32 bytes, url-safe base64) HKDF derives from one SECRET_KEY."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


@lru_cache(maxsize=8)
def _cipher(secret_keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(derive_key(key)) for key in secret_keys])


def _current() -> MultiFernet:
    """SECRET_KEY first (it encrypts), then the fallbacks (they only decrypt)."""
    return _cipher((settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise UnreadableSecret(
            "A stored secret cannot be decrypted: put the previous SECRET_KEY into "
            "SECRET_KEY_FALLBACKS (docs/security.md, 8.1.4.8)."
        ) from exc


def reencrypt(token: str) -> str:
    """The same secret under the current SECRET_KEY (for rotate_field_encryption)."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise UnreadableSecret("A stored secret cannot be decrypted.") from exc
