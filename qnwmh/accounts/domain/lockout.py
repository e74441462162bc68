"""登录失败处理: every attempt is a LoginAttempt row, and those rows are the memory of the lockout
(5 failures in 15 minutes lock the account for 15 minutes) and of the per-address throttle.
A wrong password and a wrong second factor are both failures (FAILED_LOGIN_OUTCOMES). The
numbers are the security policy in force (accounts/limits.py)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.accounts import limits
from qnwmh.accounts.enums import FAILED_LOGIN_OUTCOMES, RESETTING_LOGIN_OUTCOMES, LoginOutcome
from qnwmh.accounts.models import LoginAttempt
from qnwmh.audit import context
from qnwmh.audit.domain import record


def record_attempt(*, username: str, user, channel: str, outcome: str, now) -> LoginAttempt:
    return LoginAttempt.objects.create(
        at=now,
        username=username[:150],
        user=user,
        ip=context.current().ip,
        channel=channel,
        outcome=outcome,
    )


def _window_start():
    return timezone.now() - timedelta(seconds=limits.current().lockout_window_seconds)


def recent_failures(user) -> int:
    """Failures of the account in the window since its last success or unlock."""
    since = _window_start()
    last_reset = (
        LoginAttempt.objects.filter(at__gte=since, outcome__in=RESETTING_LOGIN_OUTCOMES, user=user)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return LoginAttempt.objects.filter(
        at__gte=last_reset or since, outcome__in=FAILED_LOGIN_OUTCOMES, user=user
    ).count()


def address_failures(ip: str) -> int:
    return LoginAttempt.objects.filter(
        ip=ip, at__gte=_window_start(), outcome__in=FAILED_LOGIN_OUTCOMES
    ).count()


# An unknown username locks like an account would (its failures are rows with that username
# and no account): otherwise "locked after five tries" would tell a guesser which usernames
# exist. With no row to hold a lock, it is read from the failures: locked while the last one is
# younger than the lock and itself reached the limit (no failure is recorded while locked).


def _unknown_username_failures(username: str):
    return LoginAttempt.objects.filter(
        username=username, user=None, outcome__in=FAILED_LOGIN_OUTCOMES
    )


def _unknown_username_locked(username: str, now) -> bool:
    policy = limits.current()
    failures = _unknown_username_failures(username)
    last = failures.filter(at__gt=now - timedelta(seconds=policy.lockout_duration_seconds))
    last_at = last.order_by("-at").values_list("at", flat=True).first()
    if last_at is None:
        return False
    window = timedelta(seconds=policy.lockout_window_seconds)
    reached = failures.filter(at__gte=last_at - window, at__lte=last_at).count()
    return reached >= policy.lockout_max_failures


def blocked_outcome(user, now, *, username: str = "") -> str | None:
    """THROTTLED for an address with too many failures, LOCKED for a locked account — or for
    an unknown `username` that failed as often as would lock an account."""
    ip = context.current().ip
    if ip and address_failures(ip) >= limits.current().throttle_max_failures_per_address:
        return LoginOutcome.THROTTLED
    if user is not None and user.is_locked(now):
        return LoginOutcome.LOCKED
    if user is None and username and _unknown_username_locked(username, now):
        return LoginOutcome.LOCKED
    return None


def register_failure(*, username: str, user, channel: str, outcome: str, now) -> str:
    """Record a failed attempt; lock the account when it reaches the limit. Returns the
    outcome to report (LOCKED when this failure locked the account, or would have locked it
    had the username existed)."""
    record_attempt(username=username, user=user, channel=channel, outcome=outcome, now=now)
    policy = limits.current()
    if user is None:
        window_start = now - timedelta(seconds=policy.lockout_window_seconds)
        failures = _unknown_username_failures(username).filter(at__gte=window_start).count()
        return LoginOutcome.LOCKED if failures >= policy.lockout_max_failures else outcome
    if recent_failures(user) < policy.lockout_max_failures:
        return outcome
    user.locked_until = now + timedelta(seconds=policy.lockout_duration_seconds)
    user.save(update_fields=["locked_until"])
    record(
        "account.locked",
        actor=None,
        obj=user,
        scope_unit=user.unit,
        changes={"locked_until": [None, user.locked_until.isoformat()]},
    )
    return LoginOutcome.LOCKED


def login_message(outcome: str) -> str:
    """What the person trying to log in is told, per outcome (pages and API alike)."""
    minutes = limits.current().lockout_duration_seconds // 60
    return {
        LoginOutcome.BAD_CREDENTIALS: _("Wrong username or password."),
        LoginOutcome.LOCKED: _(
            "Too many failed logins: this account is locked for %(minutes)d minutes. "
            "Try again later or ask the admin above you to unlock it."
        )
        % {"minutes": minutes},
        LoginOutcome.THROTTLED: _(
            "Too many failed logins from your address. Please wait %(minutes)d minutes."
        )
        % {"minutes": minutes},
        LoginOutcome.INACTIVE: _("This account is disabled."),
        LoginOutcome.OTP_REQUIRED: _(
            "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        LoginOutcome.BAD_OTP: _("The verification code is wrong or has already been used."),
        LoginOutcome.SUCCESS: "",
    }[outcome]
