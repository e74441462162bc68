import time

import pytest

from qnwmh.accounts import domain
from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.middleware import SESSION_STARTED_KEY
from qnwmh.accounts.models import ApiToken
from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


def test_new_admin_gets_a_one_time_password_it_must_change(world):
    user, password = domain.create_unit_admin(
        world.users["hunan_system"], world.changde, username="CD-Admin2", display_name="李四"
    )
    assert user.username == "cd-admin2"
    assert user.must_change_password
    assert user.check_password(password)
    assert AuditEntry.objects.filter(action="account.create", object_id=str(user.pk)).exists()


def test_admin_of_another_province_cannot_create_admins_here(world):
    with pytest.raises(Forbidden):
        domain.create_unit_admin(
            world.users["guangdong"], world.changde, username="x-admin", display_name="王五"
        )


def test_one_time_password_opens_only_the_change_page(world, client):
    _user, password = domain.create_unit_admin(
        world.users["hunan_system"],
        world.changde,
        username="cd-admin2",
        display_name="李四",
        admin_role=AdminRole.SYSTEM,
    )
    response = client.post("/accounts/login/", {"username": "cd-admin2", "password": password})
    assert response.url == "/"
    assert client.get("/").url == "/accounts/password/"
    assert client.get(f"/units/{world.changde.pk}/").url == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password": "Changde#2026x",
            "new_password_again": "Changde#2026x",
        },
    )
    assert response.url == "/"
    assert client.get(f"/units/{world.changde.pk}/").status_code == 200


def test_password_change_form_keeps_errors_next_to_fields(world, login_as):
    client = login_as(world.users["hunan"])
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password": "short", "new_password_again": "other"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "两次输入的新密码不一致。" in body


def test_change_refuses_the_same_password(world):
    from tests.factories import DEFAULT_PASSWORD

    with pytest.raises(InvalidInput) as exc:
        domain.change_password(world.users["hunan"], DEFAULT_PASSWORD, DEFAULT_PASSWORD)
    assert exc.value.code == "password_unchanged"


def test_reset_by_admin_above_issues_a_new_one_time_password(world):
    from tests.factories import DEFAULT_PASSWORD

    target = world.users["changde"]
    domain.issue_api_token(target)
    password = domain.reset_password(world.users["hunan_system"], target)
    target.refresh_from_db()
    assert target.must_change_password
    assert target.check_password(password)
    assert not target.check_password(DEFAULT_PASSWORD)
    assert ApiToken.objects.filter(user=target).count() == 0
    assert AuditEntry.objects.filter(action="account.password_reset").count() == 1


@pytest.mark.parametrize("persona", ["changde", "wuling", "guangdong", "transport", "judge"])
def test_reset_refused_unless_above(world, persona):
    with pytest.raises(Forbidden):
        domain.reset_password(world.users[persona], world.users["changde"])


def test_password_change_ends_other_sessions(world, client, login_as):
    from django.test import Client

    from tests.factories import DEFAULT_PASSWORD

    other = Client()
    other.force_login(world.users["hunan"])
    session = other.session
    session[SESSION_STARTED_KEY] = time.time()
    session.save()
    assert other.get("/").status_code == 200
    me = login_as(world.users["hunan"])
    me.post(
        "/accounts/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password": "Xiang#2026ab",
            "new_password_again": "Xiang#2026ab",
        },
    )
    assert me.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_session_has_an_absolute_lifetime(world, login_as, settings):
    client = login_as(world.users["hunan"])
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/")
    assert response.url == "/accounts/login/?expired=1"


def test_session_idle_timeout_is_thirty_minutes(settings):
    # Renewed by SessionPolicyMiddleware once a minute, not by saving on every request
    # (tests/accounts/test_request_budget.py).
    assert (
        settings.SESSION_COOKIE_AGE,
        settings.SESSION_SAVE_EVERY_REQUEST,
        settings.SESSION_TOUCH_SECONDS,
    ) == (1800, False, 60)


def test_collective_kind_accounts_need_no_unit_admin_rights(world):
    user, _ = domain.create_account(
        kind=AccountKind.JUDGE, username="judge9", display_name="评委", unit=None
    )
    assert not user.is_business_admin
