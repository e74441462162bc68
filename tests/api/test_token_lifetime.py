"""API tokens end like page sessions (等保 8.1.4.1 b 会话超时): after 15 idle minutes for admins
and 30 for others (the security policy's limits), and on page logout, logout everywhere,
password change, password reset and account disable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qnwmh.accounts import domain
from qnwmh.accounts.domain import security_policy
from qnwmh.accounts.models import ApiToken, hash_token
from tests.collectives.factories import CollectiveFactory
from tests.conftest import count_queries
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _idle_for(api_client, minutes: float) -> None:
    """The token was last used `minutes` ago (as touch_token last noted it)."""
    ApiToken.objects.filter(key_hash=hash_token(api_client.token)).update(
        last_used_at=timezone.now() - timedelta(minutes=minutes)
    )


def _answers(api_client) -> int:
    return api_client.get("/collectives").status_code


@pytest.fixture
def collective_user(world):
    return CollectiveFactory(unit=world.wuling).user


@pytest.mark.parametrize(("minutes", "status"), [(14, 200), (16, 401)])
def test_an_admin_token_ends_after_15_idle_minutes(world, api_client, minutes, status):
    api_client.as_user(world.users["hunan"])
    _idle_for(api_client, minutes)
    assert _answers(api_client) == status


def test_an_idle_token_is_gone_not_just_refused(world, api_client):
    api_client.as_user(world.users["hunan"])
    _idle_for(api_client, 16)
    _answers(api_client)
    assert ApiToken.objects.filter(user=world.users["hunan"]).count() == 0
    _idle_for(api_client, 0)  # no row left to bring back
    assert _answers(api_client) == 401


@pytest.mark.parametrize(("minutes", "status"), [(29, 200), (31, 401)])
def test_a_collective_token_ends_after_30_idle_minutes(
    api_client, collective_user, minutes, status
):
    api_client.as_user(collective_user)
    _idle_for(api_client, minutes)
    assert api_client.get("/me/registrations").status_code == status


def test_a_never_used_token_counts_idle_from_its_issue(world, api_client):
    api_client.token = domain.issue_api_token(world.users["hunan"])
    ApiToken.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert _answers(api_client) == 401


def test_the_idle_limit_is_the_security_policys(world, api_client):
    current, row = security_policy.in_force()
    security_policy.change(
        world.users["national_security"],
        {**current, "admin_idle_minutes": 5},
        version=security_policy.version_of(row),
    )
    api_client.as_user(world.users["hunan"])
    _idle_for(api_client, 6)
    assert _answers(api_client) == 401


def test_the_idle_check_costs_no_query(world, api_client):
    """Steady state: the check reads the row the token lookup fetched anyway (no extra
    statement; the last use is written at most once a minute, test_auth_api)."""
    api_client.as_user(world.users["hunan"])
    _answers(api_client)  # the policy row is now in the process cache
    before = count_queries(lambda: _answers(api_client))
    _idle_for(api_client, 0.5)
    assert count_queries(lambda: _answers(api_client)) == before


# --- Every ending event ends the tokens ------------------------------------------------------


def test_page_logout_ends_the_holders_tokens(world, api_client, login_as):
    api_client.as_user(world.users["hunan"])
    login_as(world.users["hunan"]).post("/accounts/logout/")
    assert _answers(api_client) == 401


def test_page_logout_leaves_other_peoples_tokens(world, api_client, login_as):
    api_client.as_user(world.users["changde"])
    login_as(world.users["hunan"]).post("/accounts/logout/")
    assert _answers(api_client) == 200


def test_logout_everywhere_ends_the_token(world, api_client, login_as):
    api_client.as_user(world.users["hunan"])
    login_as(world.users["hunan"]).post("/accounts/sessions/end-all/")
    assert _answers(api_client) == 401


def test_password_change_on_the_page_ends_the_token(world, api_client, login_as):
    api_client.as_user(world.users["hunan"])
    login_as(world.users["hunan"]).post(
        "/accounts/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password": "Xiang#2026ab",
            "new_password_again": "Xiang#2026ab",
        },
    )
    assert _answers(api_client) == 401


def test_password_change_by_api_keeps_this_token_and_ends_the_others(world, api_client):
    other = domain.issue_api_token(world.users["hunan"])
    api_client.as_user(world.users["hunan"])
    response = api_client.post(
        "/auth/password", {"old_password": DEFAULT_PASSWORD, "new_password": "Xiang#2026ab"}
    )
    assert response.status_code == 200
    assert _answers(api_client) == 200
    api_client.token = other
    assert _answers(api_client) == 401


def test_password_reset_ends_the_token(world, api_client):
    api_client.as_user(world.users["changde"])
    domain.reset_password(world.users["hunan_system"], world.users["changde"])
    assert _answers(api_client) == 401


def test_disable_ends_the_token(world, api_client, login_as):
    target = world.users["changde"]
    api_client.as_user(target)
    login_as(world.users["hunan_system"]).post(f"/accounts/users/{target.pk}/disable/")
    assert ApiToken.objects.filter(user=target).count() == 0
    assert _answers(api_client) == 401
