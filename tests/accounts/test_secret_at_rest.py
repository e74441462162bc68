"""The TOTP secret at rest (等保 2.0 三级 8.1.4.8 b): encrypted with a key derived from
SECRET_KEY; SECRET_KEY_FALLBACKS keep older secrets readable during a key rotation; recovery
codes stay hashed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from qnwmh.accounts import encryption, totp
from qnwmh.accounts.domain import two_factor
from qnwmh.accounts.models import RecoveryCode, TwoFactor
from tests.accounts.factories import enable_two_factor

pytestmark = pytest.mark.django_db

OLD_KEY = "old-secret-key-" + "x" * 40
NEW_KEY = "new-secret-key-" + "y" * 40


def _stored_columns(two_factor_row) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_twofactor WHERE id = %s", [two_factor_row.pk])
        return [str(value) for value in cursor.fetchone()]


def test_the_stored_value_is_not_the_secret(world):
    secret, _codes = enable_two_factor(world.users["hunan"])
    row = TwoFactor.objects.get(user=world.users["hunan"])
    stored = _stored_columns(row)
    assert not any(secret in value for value in stored)
    assert row.secret_encrypted != secret and row.secret == secret


def test_setup_stores_the_secret_encrypted_and_the_code_still_works(world):
    user = world.users["hunan"]
    secret, _uri = two_factor.start_setup(user)
    assert not any(secret in value for value in _stored_columns(TwoFactor.objects.get(user=user)))
    codes = two_factor.confirm_setup(user, totp.code_at(secret, timezone.now()))
    assert len(codes) == 10
    later = timezone.now() + timezone.timedelta(seconds=60)
    assert two_factor.verify_code(user, totp.code_at(secret, later), now=later) == two_factor.TOTP


def test_each_encryption_differs(world):
    assert encryption.encrypt("ABCD") != encryption.encrypt("ABCD")


def test_rotation_reads_old_secrets_through_the_fallbacks(world, settings):
    settings.SECRET_KEY = OLD_KEY
    settings.SECRET_KEY_FALLBACKS = []
    secret, _codes = enable_two_factor(world.users["hunan"])
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    now = timezone.now()
    user = world.users["hunan"]
    assert two_factor.verify_code(user, totp.code_at(secret, now), now=now) == two_factor.TOTP
    out = StringIO()
    call_command("rotate_field_encryption", stdout=out)
    assert "1 个" in out.getvalue()
    settings.SECRET_KEY_FALLBACKS = []
    assert TwoFactor.objects.get(user=user).secret == secret


def test_without_the_old_key_the_secret_is_unreadable_not_guessed(world, settings):
    settings.SECRET_KEY = OLD_KEY
    enable_two_factor(world.users["hunan"])
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(encryption.UnreadableSecret):
        TwoFactor.objects.get(user=world.users["hunan"]).secret  # noqa: B018


def test_the_key_is_not_the_secret_key_itself():
    key = encryption.derive_key(OLD_KEY)
    assert OLD_KEY.encode() not in key and len(key) == 44


def test_recovery_codes_stay_hashed(world):
    _secret, codes = enable_two_factor(world.users["hunan"])
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert stored == {totp.hash_recovery_code(code) for code in codes}
    assert not stored & set(codes)
