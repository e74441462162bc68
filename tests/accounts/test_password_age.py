"""90-day change prompt for admins (等保 定期更换; docs/decisions/006-password-expiry.md): a
prompt once per session on the pages, never a block; not for collectives or judges."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qnwmh.accounts import policy
from qnwmh.accounts.models import User
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NOTICE = "您的密码已超过 90 天未修改。管理员密码需定期更换，请现在设置新密码。"


def _age(user, *, changed=None, created=None, now=None) -> None:
    now = now or timezone.now()
    values = {"password_changed_at": now - changed if changed is not None else None}
    if created is not None:
        values["created_at"] = now - created
    User.objects.filter(pk=user.pk).update(**values)
    user.refresh_from_db()


@pytest.mark.parametrize(
    ("age", "due"),
    [
        (timedelta(days=89), False),
        (timedelta(days=90), False),
        (timedelta(days=90, seconds=1), True),
        (timedelta(days=400), True),
    ],
)
def test_admin_password_is_due_strictly_after_ninety_days(world, age, due):
    user, now = world.users["hunan"], timezone.now()
    _age(user, changed=age, now=now)
    assert policy.password_change_due(user, now) is due


@pytest.mark.parametrize(("created_days", "due"), [(90, False), (91, True)])
def test_never_changed_counts_from_the_account_creation(world, created_days, due):
    user, now = world.users["hunan"], timezone.now()
    _age(user, created=timedelta(days=created_days), now=now)
    assert user.password_changed_at is None
    assert policy.password_change_due(user, now) is due


def test_a_recent_change_wins_over_an_old_account(world):
    user = world.users["hunan"]
    _age(user, changed=timedelta(days=3), created=timedelta(days=1000))
    assert policy.password_change_due(user, timezone.now()) is False


def test_collectives_and_judges_are_never_prompted(world, collective_user):
    for user in (collective_user, world.users["judge"]):
        _age(user, changed=timedelta(days=1000))
        assert policy.password_change_due(user, timezone.now()) is False


def test_prompt_days_come_from_settings(world, settings):
    settings.ADMIN_PASSWORD_PROMPT_DAYS = 30
    user = world.users["hunan"]
    _age(user, changed=timedelta(days=31))
    assert policy.password_change_due(user, timezone.now()) is True


def test_admin_is_sent_to_the_change_page_once_per_session(world, login_as):
    _age(world.users["hunan"], changed=timedelta(days=120))
    client = login_as(world.users["hunan"])
    assert client.get("/").url == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert NOTICE in page and "下次登录时再提醒我" in page
    # A prompt, not a block: the next page opens.
    assert client.get("/").status_code == 200
    assert client.get("/collectives/").status_code == 200


def test_prompt_comes_back_at_the_next_login(world, client):
    _age(world.users["hunan"], changed=timedelta(days=120))
    for _ in range(2):
        client.post("/accounts/login/", {"username": "admin-hunan", "password": DEFAULT_PASSWORD})
        assert client.get("/").url == "/accounts/password/"
        client.post("/accounts/logout/")


def test_changing_the_password_ends_the_prompt(world, client):
    _age(world.users["hunan"], changed=timedelta(days=120))
    client.post("/accounts/login/", {"username": "admin-hunan", "password": DEFAULT_PASSWORD})
    response = client.post(
        "/accounts/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password": "Xiang#2026ab",
            "new_password_again": "Xiang#2026ab",
        },
    )
    assert response.url == "/"
    assert NOTICE not in client.get("/accounts/password/").content.decode()
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "admin-hunan", "password": "Xiang#2026ab"})
    assert client.get("/").status_code == 200


def test_no_prompt_for_a_post_or_an_htmx_request(world, login_as):
    _age(world.users["hunan"], changed=timedelta(days=120))
    client = login_as(world.users["hunan"])
    assert client.get("/", headers={"HX-Request": "true"}).status_code == 200
    assert client.get("/").url == "/accounts/password/"


def test_recent_admin_and_old_collective_are_not_prompted(world, login_as, collective_user):
    _age(collective_user, changed=timedelta(days=1000))
    assert login_as(world.users["hunan"]).get("/").status_code == 200
    assert login_as(collective_user).get("/").status_code == 200
