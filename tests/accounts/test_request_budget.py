"""The fixed cost of an authenticated page (docs/performance.md §3): inside the touch interval a
read-only GET reads the session, the user and the header's unread count (one capped count on
the index of the unread notifications) and nothing else of its own, and writes nothing;
the row and the session are written once a minute; a session ended anywhere is refused at once.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qnwmh.accounts import domain, limits
from qnwmh.accounts.domain import sessions, two_factor
from qnwmh.accounts.domain.sessions import SEEN_AT_KEY
from qnwmh.accounts.middleware import TWO_FACTOR_OK_KEY
from qnwmh.accounts.models import TwoFactor, UserSession
from tests.accounts.factories import current_code, enable_two_factor
from tests.collectives.factories import CollectiveFactory, FormerNameFactory, TitleFactory
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

_WRITE = ("INSERT", "UPDATE", "DELETE")


def _queries(client, url: str = "/collectives/") -> list[tuple[str, str]]:
    """(verb, first table) of every statement one GET sends."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    labels = []
    for query in captured.captured_queries:
        sql = query["sql"]
        table = re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', sql)
        labels.append((sql.split()[0].upper(), table.group(1) if table else ""))
    return labels


def _writes(labels) -> list[tuple[str, str]]:
    return [label for label in labels if label[0] in _WRITE]


def _stamp_back(client, seconds: float) -> None:
    session = client.session
    session[SEEN_AT_KEY] -= seconds
    session.save()


@pytest.fixture
def admin(world, settings, two_factor_required):
    """The province admin with two-factor login on, as in production, and rows to list."""
    user = world.users["hunan"]
    enable_two_factor(user)
    for _ in range(3):
        collective = CollectiveFactory(unit=world.wuling)
        FormerNameFactory(collective=collective)
        TitleFactory(collective=collective)
    return user


# --- The budget ---------------------------------------------------------------------------------


def test_admin_list_page_reads_only_session_and_user_of_its_own(admin, login_as):
    client = login_as(admin)
    client.get("/collectives/")  # the first page after login records two-factor as set up
    assert _queries(client) == [
        ("SELECT", "django_session"),
        ("SELECT", "accounts_user"),  # with request.user.unit, the subtree of the page
        ("SELECT", "collectives_collective"),  # the capped count
        ("SELECT", "collectives_collective"),  # the rows, their former names and titles
        ("SELECT", "notifications_notification"),  # the header's unread count
    ]


def test_the_security_policy_is_read_once_per_cache_period(admin, login_as, monkeypatch):
    # The idle limit comes from the security policy (accounts/limits.py): one read when the
    # process's copy is older than CACHE_SECONDS, none on the pages in between.
    client = login_as(admin)
    client.get("/collectives/")
    later = limits.time.monotonic() + limits.CACHE_SECONDS
    monkeypatch.setattr(limits.time, "monotonic", lambda: later)
    assert _queries(client).count(("SELECT", "accounts_securitypolicy")) == 1
    assert ("SELECT", "accounts_securitypolicy") not in _queries(client)


def test_first_page_after_login_checks_two_factor_once(admin, login_as):
    client = login_as(admin)
    first = _queries(client)
    assert first.count(("SELECT", "accounts_twofactor")) == 1
    assert _writes(first) == [("UPDATE", "django_session")]
    assert client.session[TWO_FACTOR_OK_KEY] is True
    assert ("SELECT", "accounts_twofactor") not in _queries(client)


def test_admin_with_two_factor_pending_is_still_sent_to_the_setup(world, login_as, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    client = login_as(world.users["hunan"])
    for _ in range(2):
        assert client.get("/collectives/").url == "/accounts/two-factor/"
    assert TWO_FACTOR_OK_KEY not in client.session
    assert two_factor.setup_pending(world.users["hunan"])


# --- Written once a minute, not per request -----------------------------------------------------


def test_no_write_within_the_touch_interval(admin, login_as):
    client = login_as(admin)
    client.get("/collectives/")
    row_seen = UserSession.objects.get().last_seen_at
    expires = Session.objects.get().expire_date
    for url in ("/collectives/", "/", "/accounts/sessions/", "/collectives/"):
        assert _writes(_queries(client, url)) == []
    assert UserSession.objects.get().last_seen_at == row_seen
    assert Session.objects.get().expire_date == expires


@pytest.mark.parametrize(("seconds", "writes"), [(59, False), (61, True)])
def test_touch_writes_row_and_session_once_the_interval_is_over(admin, login_as, seconds, writes):
    client = login_as(admin)
    client.get("/collectives/")
    _stamp_back(client, seconds)
    UserSession.objects.update(last_seen_at=timezone.now() - timedelta(seconds=seconds))
    expected = [("UPDATE", "accounts_usersession"), ("UPDATE", "django_session")]
    assert _writes(_queries(client)) == (expected if writes else [])
    seen = timezone.now() - UserSession.objects.get().last_seen_at
    assert (seen < timedelta(seconds=5)) is writes
    assert _writes(_queries(client)) == []


def test_touch_renews_the_stored_session_expiry(admin, login_as, settings):
    client = login_as(admin)
    client.get("/collectives/")
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    _stamp_back(client, settings.SESSION_TOUCH_SECONDS)
    client.get("/collectives/")
    left = Session.objects.get().expire_date - timezone.now()
    assert left > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_touch_interval_never_exceeds_the_idle_limit(admin, login_as, settings):
    # A touch interval set above the idle limit would let an idle session live on.
    settings.SESSION_TOUCH_SECONDS = 3600
    client = login_as(admin)
    client.get("/collectives/")
    _stamp_back(client, settings.ADMIN_SESSION_IDLE_SECONDS + 1)
    UserSession.objects.update(
        last_seen_at=timezone.now() - timedelta(seconds=settings.ADMIN_SESSION_IDLE_SECONDS + 1)
    )
    assert client.get("/collectives/").url == "/accounts/login/?expired=1"


def test_a_session_without_its_row_lives_out_the_minute(admin, login_as):
    # The documented resolution: nothing ends a session by deleting its row alone (every
    # ending deletes the stored session too); such a row is found missing at the next touch.
    client = login_as(admin)
    UserSession.objects.all().delete()
    assert client.get("/collectives/").status_code == 200


# --- Ended elsewhere: refused at once, inside the minute ----------------------------------------


def _end_by_holder(world, row):
    sessions.end_one(world.users["hunan"], row.pk)


def _end_others_by_holder(world, row):
    sessions.end_others(world.users["hunan"], "another-browser")


def _logout_everywhere(world, row):
    sessions.logout_everywhere(world.users["hunan"])


def _password_change(world, row):
    domain.change_password(
        world.users["hunan"], DEFAULT_PASSWORD, "Xiang#2026ab", keep_session_key="another-browser"
    )


def _password_reset(world, row):
    domain.reset_password(world.users["national_system"], world.users["hunan"])


def _disable(world, row):
    domain.set_active(world.users["national_system"], world.users["hunan"], False)


def _two_factor_reset(world, row):
    two_factor.reset(world.users["national_security"], world.users["hunan"])


@pytest.mark.parametrize(
    "end",
    [
        _end_by_holder,
        _end_others_by_holder,
        _logout_everywhere,
        _password_change,
        _password_reset,
        _disable,
        _two_factor_reset,
    ],
)
def test_a_session_ended_elsewhere_is_refused_inside_the_minute(world, admin, end):
    browser = Client()
    browser.post("/accounts/login/", {"username": "admin-hunan", "password": DEFAULT_PASSWORD})
    _log_in_with_code(browser)
    assert browser.get("/collectives/").status_code == 200
    end(world, UserSession.objects.get(user=world.users["hunan"]))
    response = browser.get("/collectives/")
    assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/")


def _log_in_with_code(browser) -> None:
    secret = TwoFactor.objects.get(user__username="admin-hunan").secret
    response = browser.post("/accounts/login/code/", {"otp": current_code(secret)})
    assert response.status_code == 302
