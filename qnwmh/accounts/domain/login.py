"""Login: the one check for pages and API (password, then the second factor when the account
has one), with the lockout; and API tokens."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from qnwmh.accounts import policy
from qnwmh.accounts.domain import lockout, two_factor
from qnwmh.accounts.enums import LoginOutcome
from qnwmh.accounts.models import ApiToken, User, hash_token, normalize_username

# Outcomes after which the result names the account: the password was right.
_KNOWN_USER_OUTCOMES = (LoginOutcome.SUCCESS, LoginOutcome.OTP_REQUIRED)


@dataclass
class LoginResult:
    user: User | None
    outcome: str
    # Set when a recovery code opened the login: the page tells how many are left.
    recovery_codes_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == LoginOutcome.SUCCESS

    @property
    def message(self) -> str:
        return lockout.login_message(self.outcome)


def login_message(outcome: str) -> str:
    return lockout.login_message(outcome)


def _result(user, outcome) -> LoginResult:
    return LoginResult(user if outcome in _KNOWN_USER_OUTCOMES else None, outcome)


def authenticate_login(
    username: str, password: str, *, channel: str, otp: str | None = None
) -> LoginResult:
    """The one login check for pages and API: throttle by address, lock by account (5 failures
    in 15 minutes lock for 15 minutes — 等保 登录失败处理), record every attempt. An account
    with two-factor login needs `otp` too: without it the outcome is OTP_REQUIRED (the page
    then asks for the code as a second step; the API answers 401 otp_required). Whether an
    account has two-factor login shows only once the password was right."""
    normalized = normalize_username(username)
    user = User.objects.select_related("unit", "two_factor").filter(username=normalized).first()
    now = timezone.now()

    def attempt(outcome):
        lockout.record_attempt(
            username=normalized, user=user, channel=channel, outcome=outcome, now=now
        )
        return _result(user, outcome)

    blocked = lockout.blocked_outcome(user, now, username=normalized)
    if blocked:
        return attempt(blocked)
    if user is None or not user.check_password(password):
        if user is None:
            User().set_password(password)  # same work either way: no username probing by time
        outcome = lockout.register_failure(
            username=normalized,
            user=user,
            channel=channel,
            outcome=LoginOutcome.BAD_CREDENTIALS,
            now=now,
        )
        return _result(None, outcome)
    if not user.is_active:
        return attempt(LoginOutcome.INACTIVE)
    if not two_factor.has_confirmed_two_factor(user):
        return attempt(LoginOutcome.SUCCESS)
    if not otp:
        return attempt(LoginOutcome.OTP_REQUIRED)
    return _second_factor(user, otp, channel=channel, now=now)


def authenticate_second_factor(user_id: int, otp: str, *, channel: str) -> LoginResult:
    """Second step of the page login, for the account whose password was right moments ago
    (the pending login kept in the session). Same throttle, lock and counters as the first."""
    user = User.objects.select_related("unit").filter(pk=user_id).first()
    now = timezone.now()
    if user is None:
        return LoginResult(None, LoginOutcome.BAD_CREDENTIALS)
    blocked = lockout.blocked_outcome(user, now)
    if blocked or not user.is_active:
        outcome = blocked or LoginOutcome.INACTIVE
        lockout.record_attempt(
            username=user.username, user=user, channel=channel, outcome=outcome, now=now
        )
        return _result(None, outcome)
    return _second_factor(user, otp, channel=channel, now=now)


def _second_factor(user, otp: str, *, channel: str, now) -> LoginResult:
    used = two_factor.verify_code(user, otp, now=now)
    if used is None:
        outcome = lockout.register_failure(
            username=user.username,
            user=user,
            channel=channel,
            outcome=LoginOutcome.BAD_OTP,
            now=now,
        )
        return _result(None, outcome)
    lockout.record_attempt(
        username=user.username, user=user, channel=channel, outcome=LoginOutcome.SUCCESS, now=now
    )
    result = _result(user, LoginOutcome.SUCCESS)
    if used == two_factor.RECOVERY_CODE:
        result.recovery_codes_left = two_factor.recovery_codes_left(user)
    return result


def issue_api_token(user) -> str:
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(seconds=settings.API_TOKEN_TTL_SECONDS),
    )
    return raw


def token_idle_for(token: ApiToken, now) -> timedelta:
    """How long the token has not been used, as far as the stored time tells: its last noted use
    (written at most once a minute, see touch_token), or its issue when never used."""
    return now - (token.last_used_at or token.created_at)


def user_for_token(raw: str) -> tuple[User, ApiToken] | None:
    """The account behind a bearer token still alive: unexpired (8 hours in all), and idle for
    no longer than its holder's limit — 15 minutes for admins, 30 otherwise, from the security
    policy, as for page sessions (等保 8.1.4.1 b 会话超时). One query: the policy is cached in
    process (limits.py) and the idle time is read from the row already fetched. The last use is
    noted at most once a minute, so the limit has a one-minute resolution: a token ends after 14
    to 15 idle minutes, never later. Its two-factor row comes along because every API request
    checks whether a setup is pending. An idle token is deleted when found."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__unit", "user__two_factor")
        .filter(key_hash=hash_token(raw), expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token_idle_for(token, now) > timedelta(seconds=policy.idle_seconds_for(token.user)):
        ApiToken.objects.filter(pk=token.pk).delete()
        return None
    return token.user, token


def touch_token(token: ApiToken) -> None:
    """Note when a token was last used, at most once per SESSION_TOUCH_SECONDS (a minute), as
    sessions are: the time is for people reading the list of their sessions and tokens, and
    writing it on every request cost each API call an UPDATE and a WAL flush of its own."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or now - last >= timedelta(seconds=settings.SESSION_TOUCH_SECONDS):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
