"""会话管理: the index of logged-in browsers (UserSession), idle and absolute limits, and ending
sessions — one, all others, or all of a user (logout everywhere, password change or reset,
account disable, two-factor reset). API tokens end with the same events.

A web session lives while its row and its stored session do: SessionPolicyMiddleware refreshes
`last_seen_at` at most once a minute with a conditional update that also checks the idle and
absolute limits, and logs out any session whose row is gone or stale. Deleting rows and the
stored sessions (read on every request) is therefore how a session ends, at once."""

import time
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.accounts import policy, rules
from qnwmh.accounts.models import ApiToken, UserSession
from qnwmh.audit import context
from qnwmh.audit.domain import record
from qnwmh.core.errors import Forbidden, NotFound

# The session's start (epoch seconds): the absolute limit is counted from it.
SESSION_STARTED_KEY = "qnwmh_login_at"
# When the session last wrote its row's last_seen_at (epoch seconds): SessionPolicyMiddleware
# neither checks nor writes the row within SESSION_TOUCH_SECONDS of it.
SEEN_AT_KEY = "qnwmh_seen_at"


def record_login(sender, request, user, **kwargs) -> None:
    """Receiver of django.contrib.auth's user_logged_in: every login path (the login page, a
    test client's force_login, any later path) goes through auth.login, so the index cannot miss
    a session — and the middleware ends any session the index does not hold."""
    start(user, request.session)


def _alive_filter(user, now) -> Q:
    return Q(
        last_seen_at__gte=now - timedelta(seconds=policy.idle_seconds_for(user)),
        created_at__gte=now - timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS),
    )


def alive(user):
    """The user's sessions still within the idle and absolute limits (我的会话 lists these; a
    browser closed without logging out leaves a row that times out like the session)."""
    return UserSession.objects.visible_to(user).filter(_alive_filter(user, timezone.now()))


def alive_of(target):
    """Another account's open sessions, for the security administrator above it (the caller
    has checked rules.can_view_security)."""
    return UserSession.objects.filter(_alive_filter(target, timezone.now()), user=target)


def start(user, session) -> UserSession:
    """Index a freshly logged-in session (auth.login has already cycled its key); the user's
    timed-out rows go at the same time."""
    if session.session_key is None:
        session.save()
    session[SESSION_STARTED_KEY] = session[SEEN_AT_KEY] = time.time()
    meta = context.current()
    now = timezone.now()
    UserSession.objects.filter(user=user).exclude(_alive_filter(user, now)).delete()
    row, _created = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip": meta.ip,
            "user_agent": meta.user_agent[:300],
        },
    )
    return row


def touch(user, session_key: str | None, *, now=None) -> bool:
    """Mark the session active now, if it is still alive: indexed, idle for no longer than the
    user's limit (15 minutes for admins, 30 otherwise) and younger than the absolute limit
    (12 hours). One conditional UPDATE, at most once a minute per session (the middleware);
    False means the session has ended."""
    if not session_key:
        return False
    now = now or timezone.now()
    rows = UserSession.objects.filter(_alive_filter(user, now), session_key=session_key, user=user)
    return rows.update(last_seen_at=now) == 1


def rekey(old_key: str | None, new_key: str | None) -> None:
    """The session kept its row when Django gave it a new key (update_session_auth_hash)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def forget(session_key: str | None) -> None:
    """The current session ends (found idle): its row goes."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def logout(user, session_key: str | None) -> None:
    """退出登录 on the page: this session ends, and with it every API token of the holder (the
    person leaving the computer leaves no bearer token behind); other browsers stay logged in."""
    forget(session_key)
    if user is not None and user.is_authenticated:
        ApiToken.objects.filter(user=user).delete()


def _delete_stored_sessions(keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


@dataclass(frozen=True)
class Ended:
    """How many sessions and API tokens an event ended (for the audit entry and the page)."""

    sessions: int = 0
    tokens: int = 0

    @property
    def total(self) -> int:
        return self.sessions + self.tokens

    def changes(self) -> dict[str, list[int]]:
        # "…_count" keys: the audit log drops values under keys that name a token.
        return {"ended_session_count": [self.sessions, 0], "ended_token_count": [self.tokens, 0]}


def end_all(user, *, keep_session_key: str | None = None, keep_token=None) -> Ended:
    """End every session and API token of `user` but the ones named. Called by logout
    everywhere, password change (keeping the current one), password reset, account disable and
    two-factor reset."""
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    tokens = ApiToken.objects.filter(user=user)
    if keep_token is not None:
        tokens = tokens.exclude(pk=keep_token.pk)
    ended_tokens, _rows = tokens.delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    _delete_stored_sessions(keys)
    return Ended(sessions=len(keys), tokens=ended_tokens)


@transaction.atomic
def end_one(user, session_pk: int) -> UserSession:
    """The holder ends one of their sessions (lost phone, shared computer). Another user's
    session is not found (404)."""
    row = UserSession.objects.visible_to(user).filter(pk=session_pk).first()
    if row is None:
        raise NotFound(_("This session has already ended."))
    row.delete()
    _delete_stored_sessions([row.session_key])
    record(
        "account.sessions_end",
        actor=user,
        obj=user,
        scope_unit=user.unit,
        changes=Ended(sessions=1).changes(),
    )
    return row


@transaction.atomic
def end_others(user, current_session_key: str) -> Ended:
    """Every other session and every API token of the holder ends; this browser stays."""
    ended = end_all(user, keep_session_key=current_session_key)
    record(
        "account.sessions_end", actor=user, obj=user, scope_unit=user.unit, changes=ended.changes()
    )
    return ended


@transaction.atomic
def logout_everywhere(user) -> Ended:
    """退出所有设备: every session (this one too) and every API token of the holder ends."""
    ended = end_all(user)
    record(
        "account.logout_everywhere",
        actor=user,
        obj=user,
        scope_unit=user.unit,
        changes=ended.changes(),
    )
    return ended


@transaction.atomic
def end_for(actor, target) -> Ended:
    """强制下线: the security administrator above ends every session and API token of another
    account at once (a stolen password, a computer left logged in); the holder can log in
    again. Audited with how many ended."""
    if not rules.can_end_sessions(actor, target):
        raise Forbidden()
    ended = end_all(target)
    record(
        "account.force_logout",
        actor=actor,
        obj=target,
        scope_unit=target.unit,
        changes=ended.changes(),
    )
    return ended
