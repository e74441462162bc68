"""Page-side session and account gates (the API has its own in qnwmh/accounts/api_auth.py):
session limits (等保 会话超时), one-time password, two-factor setup for admins, 90-day prompt.

A read-only page inside the touch interval costs no query here and writes nothing: the session
and the user are read by Django anyway, the limits are checked on the session's own clocks, and
what cannot change while the session lives (two-factor login set up) is kept in the session.
docs/performance.md §3 has the query list before and after."""

import functools
import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from qnwmh.accounts import policy
from qnwmh.accounts.domain import sessions, two_factor
from qnwmh.accounts.domain.sessions import SEEN_AT_KEY, SESSION_STARTED_KEY

# Set once the 90-day prompt has been shown in this session: a prompt, not a block.
PROMPT_SHOWN_KEY = "qnwmh_password_prompted"
# Set once an admin's two-factor login is seen confirmed. Only a two-factor reset takes it away,
# and the reset ends every session of the holder (two_factor.reset), so the flag cannot go stale.
TWO_FACTOR_OK_KEY = "qnwmh_two_factor_ok"
# Never gated: assets, health check, the API (own gate), the language switch.
_OPEN_PREFIXES = ("/static/", "/healthz", "/api/", "/i18n/")
# Pages a one-time password holder may open; an admin still to set up two-factor login gets
# the two-factor pages too.
_PASSWORD_CHANGE_PAGES = ("login", "login_code", "logout", "password_change")
_TWO_FACTOR_SETUP_PAGES = (
    *_PASSWORD_CHANGE_PAGES,
    "two_factor",
    "two_factor_setup",
    "two_factor_confirm",
)

__all__ = ["PROMPT_SHOWN_KEY", "SEEN_AT_KEY", "SESSION_STARTED_KEY", "TWO_FACTOR_OK_KEY"]


@functools.cache
def _paths_of(page_names: tuple[str, ...], script_prefix: str) -> frozenset[str]:
    # Reversed once per prefix, not three middlewares × every request.
    return frozenset(reverse(f"accounts:{name}") for name in page_names)


def _is_open(path: str, page_names: tuple[str, ...]) -> bool:
    if path.startswith(_OPEN_PREFIXES):
        return True
    return path in _paths_of(page_names, get_script_prefix())


def _authenticated(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class SessionPolicyMiddleware:
    """A session lives while its stored session and its row (UserSession) do, idle for no longer
    than 15 minutes (admins) or 30 (others) by its last-seen time, and younger than 12 hours.
    Otherwise it ends here and the browser goes to the login page.

    The last-seen time is written at most once per SESSION_TOUCH_SECONDS (a minute): the idle
    limit counts from the last write, so it has that resolution (a session may end up to a minute
    early, never late). Inside the minute nothing is queried or written: ending a session
    deletes its stored session too (sessions.end_all, end_one), and Django reads that on every
    request, so a session ended from another device is refused at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = _authenticated(request)
        if user is not None and not self._alive(request, user):
            sessions.forget(request.session.session_key)
            logout(request)
            return self._to_login(request)
        return self.get_response(request)

    @staticmethod
    def _alive(request, user) -> bool:
        session, now = request.session, time.time()
        started = session.get(SESSION_STARTED_KEY)
        if started is None or now - started > settings.SESSION_ABSOLUTE_SECONDS:
            return False
        seen = session.get(SEEN_AT_KEY)
        interval = min(settings.SESSION_TOUCH_SECONDS, policy.idle_seconds_for(user))
        # A stamp from the future (another server's clock) counts as stale: touch.
        if seen is not None and 0 <= now - seen < interval:
            return True
        if not sessions.touch(user, session.session_key):
            return False
        # Saving the session renews its stored expiry too (SESSION_COOKIE_AGE from now).
        session[SEEN_AT_KEY] = now
        return True

    @staticmethod
    def _to_login(request):
        url = f"{reverse('accounts:login')}?expired=1"
        if _is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


class ForcePasswordChangeMiddleware:
    """A one-time password only opens the password change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = _authenticated(request)
        if (
            user is not None
            and user.must_change_password
            and not _is_open(request.path, _PASSWORD_CHANGE_PAGES)
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)


class TwoFactorSetupMiddleware:
    """An admin without confirmed two-factor login (after the first password change) only opens
    the two-factor setup, the password change and logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = _authenticated(request)
        if (
            user is not None
            and policy.two_factor_required(user)
            and not request.session.get(TWO_FACTOR_OK_KEY)
            and not _is_open(request.path, _TWO_FACTOR_SETUP_PAGES)
            and self._setup_pending(request, user)
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)

    @staticmethod
    def _setup_pending(request, user) -> bool:
        pending = two_factor.setup_pending(user)
        if not pending and not user.must_change_password:
            # Required, not pending, no one-time password: confirmed (one query, once).
            request.session[TWO_FACTOR_OK_KEY] = True
        return pending


class PasswordAgeMiddleware:
    """An admin whose password is older than 90 days is sent to the password change page once
    per session, with a notice; they may change it later (docs/decisions/006)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = _authenticated(request)
        if (
            user is not None
            and request.method == "GET"
            and not _is_htmx(request)
            and not request.session.get(PROMPT_SHOWN_KEY)
            and not _is_open(request.path, _PASSWORD_CHANGE_PAGES)
            and policy.password_change_due(user, timezone.now())
        ):
            request.session[PROMPT_SHOWN_KEY] = True
            return redirect("accounts:password_change")
        return self.get_response(request)
