"""会话管理: sessions are indexed at login, listed and ended by their holder, end on every
credential event, and time out after 15 idle minutes (admins) or 30 (others), 12 hours at most."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from qnwmh.accounts import domain
from qnwmh.accounts.domain import sessions
from qnwmh.accounts.domain.sessions import SEEN_AT_KEY
from qnwmh.accounts.models import ApiToken, UserSession
from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import Forbidden
from tests.accounts.factories import UserSessionFactory
from tests.conftest import count_queries
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _browser(user, agent="Mozilla/5.0 Test") -> Client:
    """Another browser of the same person, logged in through the login page."""
    browser = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="10.8.8.8")
    response = browser.post(
        "/accounts/login/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.url == "/"
    return browser


def _is_logged_in(browser) -> bool:
    return browser.get("/accounts/history/").status_code == 200


def test_login_indexes_the_session_with_address_and_browser(world):
    browser = _browser(world.users["hunan"], agent="Mozilla/5.0 Firefox/140.0")
    row = UserSession.objects.get()
    assert (row.user, row.ip, row.user_agent, row.session_key) == (
        world.users["hunan"],
        "10.8.8.8",
        "Mozilla/5.0 Firefox/140.0",
        browser.session.session_key,
    )


def test_logout_ends_only_this_session(world):
    first = _browser(world.users["hunan"])
    second = _browser(world.users["hunan"])
    first.post("/accounts/logout/")
    assert UserSession.objects.filter(user=world.users["hunan"]).count() == 1
    assert (_is_logged_in(first), _is_logged_in(second)) == (False, True)


def _stamp_back(client, seconds: float) -> None:
    """The session's own record of its last touch goes back (accounts/middleware.py)."""
    session = client.session
    session[SEEN_AT_KEY] -= seconds
    session.save()


def test_a_session_without_its_row_is_over_at_its_next_touch(world, login_as, settings):
    # Within the touch interval the row is not read (test_request_budget.py); every ending of a
    # session deletes the stored session too, which ends it at once.
    client = login_as(world.users["hunan"])
    UserSession.objects.all().delete()
    _stamp_back(client, settings.SESSION_TOUCH_SECONDS)
    assert client.get("/").url == "/accounts/login/?expired=1"
    assert "会话已结束，请重新登录。" in client.get("/accounts/login/?expired=1").content.decode()


# --- The page 我的会话 ---------------------------------------------------------------------------


def test_my_sessions_lists_only_mine_and_marks_this_one(world, login_as):
    _browser(world.users["hunan"], agent="Other browser/1.0")
    _browser(world.users["changde"], agent="Not mine/1.0")
    body = login_as(world.users["hunan"]).get("/accounts/sessions/").content.decode()
    assert body.count("<tr><td>") == 2
    assert "Other browser/1.0" in body and "Not mine/1.0" not in body
    assert body.count("当前会话") == 1
    assert "当前有 0 个有效的 API 令牌。" in body


def test_my_sessions_query_count_does_not_grow(world, login_as):
    client = login_as(world.users["hunan"])
    one = count_queries(lambda: client.get("/accounts/sessions/"))
    UserSessionFactory.create_batch(25, user=world.users["hunan"])
    many = count_queries(lambda: client.get("/accounts/sessions/?page_size=200"))
    assert many == one


def test_end_one_other_session(world, login_as):
    other = _browser(world.users["hunan"])
    row = UserSession.objects.get(session_key=other.session.session_key)
    client = login_as(world.users["hunan"])
    response = client.post(f"/accounts/sessions/{row.pk}/end/")
    assert response.url == "/accounts/sessions/"
    assert "该会话已结束。" in client.get(response.url).content.decode()
    assert not Session.objects.filter(session_key=row.session_key).exists()
    assert (_is_logged_in(other), _is_logged_in(client)) == (False, True)
    entry = AuditEntry.objects.get(action="account.sessions_end")
    assert (entry.actor_username, entry.changes) == (
        "admin-hunan",
        {"ended_session_count": [1, 0], "ended_token_count": [0, 0]},
    )


def test_ending_the_current_session_logs_out(world, login_as):
    client = login_as(world.users["hunan"])
    row = UserSession.objects.get()
    assert client.post(f"/accounts/sessions/{row.pk}/end/").url == "/accounts/login/"
    assert not _is_logged_in(client)


def test_ending_someone_elses_session_is_404(world, login_as):
    theirs = _browser(world.users["changde"])
    row = UserSession.objects.get(user=world.users["changde"])
    response = login_as(world.users["hunan"]).post(f"/accounts/sessions/{row.pk}/end/")
    assert response.status_code == 404
    assert _is_logged_in(theirs)


def test_end_all_others_keeps_this_one_and_ends_tokens(world, login_as):
    others = [_browser(world.users["hunan"]) for _ in range(2)]
    domain.issue_api_token(world.users["hunan"])
    client = login_as(world.users["hunan"])
    response = client.post("/accounts/sessions/end-others/")
    assert "已结束 3 个其他会话或 API 令牌。" in client.get(response.url).content.decode()
    assert [_is_logged_in(b) for b in others] == [False, False]
    assert _is_logged_in(client)
    assert ApiToken.objects.filter(user=world.users["hunan"]).count() == 0
    entry = AuditEntry.objects.get(action="account.sessions_end")
    assert entry.changes == {"ended_session_count": [2, 0], "ended_token_count": [1, 0]}


def test_logout_everywhere_ends_every_session_and_token(world, login_as):
    other = _browser(world.users["hunan"])
    domain.issue_api_token(world.users["hunan"])
    client = login_as(world.users["hunan"])
    response = client.post("/accounts/sessions/end-all/")
    assert response.url == "/accounts/login/"
    assert (_is_logged_in(other), _is_logged_in(client)) == (False, False)
    assert UserSession.objects.count() == ApiToken.objects.count() == 0
    entry = AuditEntry.objects.get(action="account.logout_everywhere")
    assert entry.changes == {"ended_session_count": [2, 0], "ended_token_count": [1, 0]}


def test_anonymous_is_sent_to_login_from_my_sessions(client, db):
    assert client.get("/accounts/sessions/").url == "/accounts/login/?next=/accounts/sessions/"


# --- Every session ends on credential events ---------------------------------------------------


def test_password_change_keeps_this_session_and_ends_the_others(world, login_as):
    other = _browser(world.users["hunan"])
    domain.issue_api_token(world.users["hunan"])
    client = login_as(world.users["hunan"])
    client.post(
        "/accounts/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password": "Xiang#2026ab",
            "new_password_again": "Xiang#2026ab",
        },
    )
    rows = list(UserSession.objects.values_list("session_key", flat=True))
    assert rows == [client.session.session_key]
    assert (_is_logged_in(other), _is_logged_in(client)) == (False, True)
    assert ApiToken.objects.count() == 0
    entry = AuditEntry.objects.get(action="account.password_change")
    assert entry.changes == {"ended_session_count": [1, 0], "ended_token_count": [1, 0]}


def test_password_reset_by_the_admin_above_ends_every_session(world):
    target = world.users["changde"]
    browser = _browser(target)
    domain.issue_api_token(target)
    domain.reset_password(world.users["hunan_system"], target)
    assert not _is_logged_in(browser)
    assert (UserSession.objects.count(), ApiToken.objects.count()) == (0, 0)
    entry = AuditEntry.objects.get(action="account.password_reset")
    assert entry.changes == {"ended_session_count": [1, 0], "ended_token_count": [1, 0]}


def test_disable_ends_every_session_and_enable_lets_in_again(world, login_as):
    target = world.users["changde"]
    browser = _browser(target)
    admin = login_as(world.users["hunan_system"])
    response = admin.post(f"/accounts/users/{target.pk}/disable/")
    assert "账号已停用，其全部会话已结束。" in admin.get(response.url).content.decode()
    assert not _is_logged_in(browser)
    refused = Client().post(
        "/accounts/login/", {"username": "admin-changde", "password": DEFAULT_PASSWORD}
    )
    assert "该账号已停用。" in refused.content.decode()
    admin.post(f"/accounts/users/{target.pk}/enable/")
    assert _is_logged_in(_browser(target))
    actions = list(
        AuditEntry.objects.filter(action__startswith="account.").values_list("action", "changes")
    )
    disabled = {
        "is_active": [True, False],
        "ended_session_count": [1, 0],
        "ended_token_count": [0, 0],
    }
    assert ("account.disable", disabled) in actions
    assert ("account.enable", {"is_active": [False, True]}) in actions


def test_disabling_twice_loses(world):
    from qnwmh.core.errors import AlreadyHandled

    domain.set_active(world.users["hunan_system"], world.users["changde"], False)
    with pytest.raises(AlreadyHandled):
        domain.set_active(world.users["hunan_system"], world.users["changde"], False)


@pytest.mark.parametrize(
    "persona",
    ["guangdong", "wuling", "changde", "judge", "hunan", "hunan_security", "hunan_audit"],
)
def test_disable_refused_unless_system_admin_above(world, persona):
    with pytest.raises(Forbidden):
        domain.set_active(world.users[persona], world.users["changde"], False)


def test_disable_page_of_another_province_is_404(world, login_as):
    target = world.users["changde"]
    response = login_as(world.users["guangdong"]).post(f"/accounts/users/{target.pk}/disable/")
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.is_active


# --- Idle and absolute limits ------------------------------------------------------------------


def _idle(client, minutes: int) -> None:
    """The browser has been idle `minutes`: both clocks of its session go back, the row's
    last_seen_at and the session's own stamp of it."""
    then = timezone.now() - timedelta(minutes=minutes)
    UserSession.objects.update(last_seen_at=then)
    session = client.session
    session[SEEN_AT_KEY] = then.timestamp()
    session.save()


@pytest.mark.parametrize(("minutes", "alive"), [(14, True), (16, False)])
def test_admin_session_ends_after_fifteen_idle_minutes(world, login_as, minutes, alive):
    client = login_as(world.users["hunan"])
    _idle(client, minutes)
    response = client.get("/")
    assert (response.status_code == 200) is alive
    if not alive:
        assert response.url == "/accounts/login/?expired=1"
        assert UserSession.objects.count() == 0


@pytest.mark.parametrize(("minutes", "alive"), [(16, True), (29, True), (31, False)])
def test_collective_session_ends_after_thirty_idle_minutes(
    world, login_as, collective_user, minutes, alive
):
    client = login_as(collective_user)
    _idle(client, minutes)
    assert _is_logged_in(client) is alive


def test_activity_renews_the_idle_clock(world, login_as):
    client = login_as(world.users["hunan"])
    _idle(client, 14)
    assert client.get("/").status_code == 200
    seen = UserSession.objects.get().last_seen_at
    assert timezone.now() - seen < timedelta(minutes=1)


@pytest.mark.parametrize("clock", ["session", "row"])
def test_session_ends_twelve_hours_after_login(world, login_as, settings, clock):
    # The session's own start is checked on every request; the row's at each touch.
    client = login_as(world.users["hunan"])
    too_old = settings.SESSION_ABSOLUTE_SECONDS + 1
    if clock == "session":
        session = client.session
        session[sessions.SESSION_STARTED_KEY] -= too_old
        session.save()
    else:
        UserSession.objects.update(created_at=timezone.now() - timedelta(seconds=too_old))
        _stamp_back(client, settings.SESSION_TOUCH_SECONDS)
    assert client.get("/").url == "/accounts/login/?expired=1"


def test_expired_htmx_request_is_redirected_by_header(world, login_as):
    client = login_as(world.users["hunan"])
    _idle(client, 16)
    response = client.get("/", headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (204, "/accounts/login/?expired=1")


def test_idle_limits_come_from_settings(settings):
    assert (settings.ADMIN_SESSION_IDLE_SECONDS, settings.SESSION_COOKIE_AGE) == (900, 1800)


def test_touch_refuses_an_unknown_key(world):
    assert sessions.touch(world.users["hunan"], "no-such-key") is False
    assert sessions.touch(world.users["hunan"], None) is False


def test_timed_out_sessions_are_not_listed_and_go_at_the_next_login(world, login_as):
    stale = UserSessionFactory(
        user=world.users["hunan"], last_seen_at=timezone.now() - timedelta(minutes=16)
    )
    body = login_as(world.users["hunan"]).get("/accounts/sessions/").content.decode()
    assert body.count("<tr><td>") == 1
    assert not UserSession.objects.filter(pk=stale.pk).exists()


def test_collective_session_idle_twenty_minutes_is_still_listed(world, collective_user):
    UserSessionFactory(user=collective_user, last_seen_at=timezone.now() - timedelta(minutes=20))
    assert sessions.alive(collective_user).count() == 1
    assert sessions.alive(world.users["hunan"]).count() == 0
