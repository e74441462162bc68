"""Account policies: who must use two-factor login, how long a session may stay idle, when an
admin is prompted to change the password (等保 2.0 三级 身份鉴别, 会话超时). The limits are the
security policy in force (limits.py: the security administrator's page, else the settings)."""

from datetime import datetime, timedelta

from django.conf import settings

from qnwmh.accounts import limits


def two_factor_required(user) -> bool:
    """Every admin logs in with two factors (issue 4); collectives and judges may opt in."""
    return bool(settings.ADMIN_TWO_FACTOR_REQUIRED and user.is_admin_account)


def idle_seconds_for(user) -> int:
    """Idle timeout: 15 minutes for admins, 30 for everyone else, unless the policy says less."""
    policy = limits.current()
    return policy.admin_idle_seconds if user.is_admin_account else policy.idle_seconds


def password_age_reference(user) -> datetime:
    """The last change, or the account's creation when the password was never changed."""
    return user.password_changed_at or user.created_at


def password_change_due(user, now: datetime) -> bool:
    """90-day change prompt for admins (等保 定期更换; the policy may say 30 to 90): strictly
    older than the limit. A prompt, not a block — docs/decisions/006-password-expiry.md says
    why."""
    if not user.is_admin_account:
        return False
    limit = timedelta(days=password_prompt_days())
    return now - password_age_reference(user) > limit


def password_prompt_days() -> int:
    return limits.current().admin_password_prompt_days
