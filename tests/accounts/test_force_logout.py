"""强制下线: the security administrator above lists another account's open sessions and ends
all of them with its API tokens, audited; nobody else, nowhere else (三权分立, issue 4)."""

import pytest
from django.test import Client

from qnwmh.accounts.domain import issue_api_token, sessions
from qnwmh.accounts.models import ApiToken, UserSession
from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import Forbidden
from tests.accounts.factories import UserSessionFactory
from tests.conftest import count_queries
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _browser(user, agent="Mozilla/5.0 Firefox/140.0") -> Client:
    browser = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="10.8.8.8")
    response = browser.post(
        "/accounts/login/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.url == "/"
    return browser


def _is_logged_in(browser) -> bool:
    return browser.get("/accounts/history/").status_code == 200


def _end_url(user) -> str:
    return f"/accounts/users/{user.pk}/sessions/end/"


def test_the_account_page_lists_its_open_sessions(world, login_as):
    target = world.users["changde"]
    _browser(target, agent="Mozilla/5.0 Firefox/140.0")
    _browser(world.users["wuling"], agent="Someone else/1.0")
    issue_api_token(target)
    response = login_as(world.users["hunan_security"]).get(f"/accounts/users/{target.pk}/")
    rows = [(s.user, s.ip, s.user_agent) for s in response.context["page"].items]
    assert rows == [(target, "10.8.8.8", "Mozilla/5.0 Firefox/140.0")]
    assert response.context["token_count"] == 1
    body = response.content.decode()
    assert "10.8.8.8" in body and "强制下线（结束全部会话和 API 令牌）" in body


def test_the_account_page_query_count_does_not_grow_with_sessions(world, login_as):
    target = world.users["changde"]
    client = login_as(world.users["hunan_security"])
    url = f"/accounts/users/{target.pk}/"
    UserSessionFactory(user=target)
    client.get(url)
    one = count_queries(lambda: client.get(url))
    UserSessionFactory.create_batch(5, user=target)
    assert count_queries(lambda: client.get(url)) == one


def test_the_security_admin_above_ends_every_session_and_token(world, login_as):
    target, actor = world.users["changde"], world.users["hunan_security"]
    first, second = _browser(target), _browser(target)
    issue_api_token(target)
    bystander = _browser(world.users["wuling"])
    response = login_as(actor).post(_end_url(target), follow=True)
    assert response.redirect_chain[-1][0] == f"/accounts/users/{target.pk}/"
    assert "已结束该账号的 3 个会话或 API 令牌。" in response.content.decode()
    assert (_is_logged_in(first), _is_logged_in(second), _is_logged_in(bystander)) == (
        False,
        False,
        True,
    )
    assert UserSession.objects.filter(user=target).count() == 0
    assert ApiToken.objects.filter(user=target).count() == 0
    entry = AuditEntry.objects.get(action="account.force_logout")
    assert (entry.actor, entry.object_id, entry.scope_path, entry.changes) == (
        actor,
        str(target.pk),
        target.unit.path,
        {"ended_session_count": [2, 0], "ended_token_count": [1, 0]},
    )


def test_the_holder_can_log_in_again(world, login_as):
    target = world.users["changde"]
    _browser(target)
    sessions.end_for(world.users["hunan_security"], target)
    assert _is_logged_in(_browser(target))


def test_ending_sessions_outside_the_subtree_is_refused(world, login_as):
    target = world.users["guangdong"]
    browser = _browser(target)
    client = login_as(world.users["hunan_security"])
    assert client.get(f"/accounts/users/{target.pk}/").status_code == 404
    assert client.post(_end_url(target)).status_code == 404
    with pytest.raises(Forbidden):
        sessions.end_for(world.users["hunan_security"], target)
    assert _is_logged_in(browser)
    assert not AuditEntry.objects.filter(action="account.force_logout").exists()


def test_the_unit_above_is_outside_the_subtree(world, login_as):
    target = world.users["national"]
    browser = _browser(target)
    assert login_as(world.users["hunan_security"]).post(_end_url(target)).status_code == 404
    assert _is_logged_in(browser)


@pytest.mark.parametrize("persona", ["hunan", "hunan_system", "hunan_audit", "national_system"])
def test_other_roles_cannot_end_sessions(world, login_as, persona):
    target = world.users["changde"]
    browser = _browser(target)
    assert login_as(world.users[persona]).post(_end_url(target)).status_code == 404
    with pytest.raises(Forbidden):
        sessions.end_for(world.users[persona], target)
    assert _is_logged_in(browser)
    assert not AuditEntry.objects.filter(action="account.force_logout").exists()


def test_a_security_admin_does_not_end_its_own_sessions_here(world, login_as):
    # Its own sessions are on 我的会话 (logout everywhere), not another account's page.
    actor = world.users["hunan_security"]
    assert login_as(actor).post(_end_url(actor)).status_code == 404


def test_ending_sessions_is_post_only(world, login_as):
    target = world.users["changde"]
    browser = _browser(target)
    assert login_as(world.users["hunan_security"]).get(_end_url(target)).status_code == 405
    assert _is_logged_in(browser)
