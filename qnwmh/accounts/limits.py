"""The security policy in force (安全策略): the SecurityPolicy row the national security
administrator sets, or — while there is none — the settings read from the environment.

Every reader (idle timeouts, lockout, throttle, password prompt) asks `current()`. The row is
read at most once per CACHE_SECONDS per process, so a page view gains no query: the middleware
asks for the idle limit on every request. A change is seen at once by the process that saved it
(`forget`, on save and on commit) and by every other application server within CACHE_SECONDS.
Only the row is cached, never the settings, so `override_settings` in tests keeps working."""

import time
from dataclasses import dataclass

from django.conf import settings

from qnwmh.accounts.models import SecurityPolicy

CACHE_SECONDS = 30

# (monotonic time of the read, the row or None). One tuple, replaced whole: no lock needed.
_cached: tuple[float, SecurityPolicy | None] | None = None


@dataclass(frozen=True)
class Limits:
    """The policy's values in the units the code counts in (seconds, days, counts)."""

    lockout_max_failures: int
    lockout_window_seconds: int
    lockout_duration_seconds: int
    throttle_max_failures_per_address: int
    admin_idle_seconds: int
    idle_seconds: int
    admin_password_prompt_days: int

    def as_form_values(self) -> dict[str, int]:
        """The values as the policy page shows and stores them (minutes, days, counts)."""
        return {
            "lockout_max_failures": self.lockout_max_failures,
            "lockout_window_minutes": self.lockout_window_seconds // 60,
            "lockout_duration_minutes": self.lockout_duration_seconds // 60,
            "throttle_max_failures_per_address": self.throttle_max_failures_per_address,
            "admin_idle_minutes": self.admin_idle_seconds // 60,
            "idle_minutes": self.idle_seconds // 60,
            "admin_password_prompt_days": self.admin_password_prompt_days,
        }


def defaults() -> Limits:
    """The settings: the deployment's starting point, in force until the policy is first set."""
    return Limits(
        lockout_max_failures=settings.LOCKOUT_MAX_FAILURES,
        lockout_window_seconds=settings.LOCKOUT_WINDOW_SECONDS,
        lockout_duration_seconds=settings.LOCKOUT_DURATION_SECONDS,
        throttle_max_failures_per_address=settings.THROTTLE_MAX_FAILURES_PER_ADDRESS,
        admin_idle_seconds=settings.ADMIN_SESSION_IDLE_SECONDS,
        idle_seconds=settings.SESSION_COOKIE_AGE,
        admin_password_prompt_days=settings.ADMIN_PASSWORD_PROMPT_DAYS,
    )


def of_row(row: SecurityPolicy) -> Limits:
    return Limits(
        lockout_max_failures=row.lockout_max_failures,
        lockout_window_seconds=row.lockout_window_minutes * 60,
        lockout_duration_seconds=row.lockout_duration_minutes * 60,
        throttle_max_failures_per_address=row.throttle_max_failures_per_address,
        admin_idle_seconds=row.admin_idle_minutes * 60,
        idle_seconds=row.idle_minutes * 60,
        admin_password_prompt_days=row.admin_password_prompt_days,
    )


def stored() -> SecurityPolicy | None:
    """The policy row, through the cache (no query on a hit)."""
    global _cached
    now = time.monotonic()
    if _cached is None or not 0 <= now - _cached[0] < CACHE_SECONDS:
        _cached = (now, SecurityPolicy.objects.filter(pk=SecurityPolicy.SINGLETON).first())
    return _cached[1]


def current() -> Limits:
    """The policy in force now (at most CACHE_SECONDS old)."""
    row = stored()
    return defaults() if row is None else of_row(row)


def forget() -> None:
    """Drop the cached row: the next `current()` reads the database."""
    global _cached
    _cached = None
