"""Factories of the accounts tests: a confirmed two-factor login with known codes, sessions."""

import factory
from django.utils import timezone

from qnwmh.accounts import totp
from qnwmh.accounts.models import RecoveryCode, TwoFactor, UserSession
from tests.factories import UserFactory


class TwoFactorFactory(factory.django.DjangoModelFactory):
    """Confirmed, never used: any current code is accepted once."""

    class Meta:
        model = TwoFactor

    user = factory.SubFactory(UserFactory)
    secret = factory.LazyFunction(totp.new_secret)
    confirmed_at = factory.LazyFunction(timezone.now)
    last_time_step = None


class UserSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserSession

    session_key = factory.Sequence(lambda n: f"test-session-{n:08d}")
    user = factory.SubFactory(UserFactory)
    ip = "10.1.2.3"
    user_agent = "Mozilla/5.0 (Windows NT 10.0) Firefox/140.0"


def enable_two_factor(user) -> tuple[str, list[str]]:
    """A confirmed two-factor login for `user`; returns (secret, recovery codes)."""
    two_factor = TwoFactorFactory(user=user)
    codes = totp.new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(two_factor=two_factor, code_hash=totp.hash_recovery_code(code))
        for code in codes
    )
    return two_factor.secret, codes


def current_code(secret: str) -> str:
    return totp.code_at(secret, timezone.now())
