"""三权分立 (等保 2.0 三级 8.1.4.2 d): one role per admin account; the audit administrator reads
the audit log and nothing else; the business administrator neither reads it nor manages admin
accounts (docs/decisions/008-separated-admin-roles.md). Every route and operation is checked
against every role by tests/security/test_access_matrix.py."""

import pytest
from django.db import IntegrityError, transaction

from qnwmh.accounts import domain
from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.models import User
from qnwmh.audit.domain import record
from qnwmh.core.errors import Forbidden, InvalidInput
from qnwmh.web.navigation import items_for
from tests.conftest import count_queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_admin_account_without_a_role_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.users["hunan"].pk).update(admin_role="")


def test_a_role_outside_the_four_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.users["hunan"].pk).update(admin_role="SYSTEM,AUDIT")


def test_a_collective_or_judge_holds_no_role(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.users["judge"].pk).update(admin_role=AdminRole.AUDIT)


@pytest.mark.parametrize("role", ["", "SYSTEM,AUDIT", "ROOT"])
def test_creating_an_admin_needs_exactly_one_known_role(world, role):
    with pytest.raises(InvalidInput) as exc:
        domain.create_unit_admin(
            world.users["hunan_system"],
            world.changde,
            username="x1",
            display_name="甲",
            admin_role=role,
        )
    assert list(exc.value.fields) == ["admin_role"]
    assert not User.objects.filter(username="x1").exists()


def test_a_judge_cannot_be_created_with_a_role(world):
    with pytest.raises(InvalidInput):
        domain.create_account(
            kind=AccountKind.JUDGE,
            username="j2",
            display_name="评委",
            unit=None,
            admin_role="AUDIT",
        )


def test_new_admin_holds_the_role_given_and_the_creation_is_audited(world):
    user, _password = domain.create_unit_admin(
        world.users["hunan_system"],
        world.changde,
        username="cd-audit",
        display_name="审计员",
        admin_role=AdminRole.AUDIT,
    )
    assert (user.admin_role, user.holds(AdminRole.AUDIT), user.is_business_admin) == (
        "AUDIT",
        True,
        False,
    )
    entry = world.users["hunan_audit"]
    from qnwmh.audit.models import AuditEntry

    created = AuditEntry.objects.visible_to(entry).get(action="account.create")
    assert created.changes["admin_role"] == [None, "AUDIT"]


@pytest.mark.parametrize("persona", ["hunan", "hunan_security", "hunan_audit"])
def test_only_the_system_admin_creates_admin_accounts(world, persona):
    with pytest.raises(Forbidden):
        domain.create_unit_admin(
            world.users[persona], world.changde, username="x2", display_name="乙"
        )


def test_audit_admin_reads_the_audit_log_of_its_subtree(world, login_as):
    record("unit.rename", actor=world.users["changde"], obj=world.changde, scope_unit=world.changde)
    record(
        "unit.rename",
        actor=world.users["guangzhou"],
        obj=world.guangzhou,
        scope_unit=world.guangzhou,
    )
    response = login_as(world.users["hunan_audit"]).get("/audit/")
    assert response.status_code == 200
    assert [e.actor_username for e in response.context["page"].items] == ["admin-changde"]


AUDIT_ADMIN_REFUSED_PAGES = [
    "/units/",
    "/collectives/",
    "/cycles/",
    "/registrations/queue/",
    "/registrations/progress/",
    "/accounts/users/",
]


@pytest.mark.parametrize("path", AUDIT_ADMIN_REFUSED_PAGES)
def test_audit_admin_sees_nothing_else(world, login_as, path):
    assert login_as(world.users["hunan_audit"]).get(path).status_code == 404


@pytest.mark.parametrize(
    "path", ["/units", "/collectives", "/cycles", "/registrations", "/progress"]
)
def test_audit_admin_is_refused_by_every_api_list(world, api_client, path):
    response = api_client.as_user(world.users["hunan_audit"]).get(path)
    assert response.status_code in (403, 404)
    assert response.json()["error"]["code"] in ("forbidden", "not_found")


@pytest.mark.parametrize("path", ["/audit/", "/units/", "/accounts/users/"])
def test_business_admin_neither_reads_the_audit_log_nor_manages_accounts(world, login_as, path):
    assert login_as(world.users["hunan"]).get(path).status_code == 404


def test_business_admin_cannot_create_admins_through_the_api(world, api_client):
    response = api_client.as_user(world.users["hunan"]).post(
        f"/units/{world.changde.pk}/admins", {"username": "x3", "display_name": "丙"}
    )
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": "这是其他管理员角色的职责（三权分立），您无权操作。",
        "fields": {},
    }


def test_system_admin_creates_an_admin_of_a_role_through_the_api(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        f"/units/{world.changde.pk}/admins",
        {"username": "cd-sec", "display_name": "丁", "admin_role": "SECURITY"},
    )
    assert response.status_code == 201
    assert response.json()["admin_role"] == "SECURITY"
    assert User.objects.get(username="cd-sec").admin_role == AdminRole.SECURITY


def test_system_admin_api_default_role_is_business(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        f"/units/{world.changde.pk}/admins", {"username": "cd-biz", "display_name": "戊"}
    )
    assert response.json()["admin_role"] == "BUSINESS"


def _nav(user) -> list[str]:
    return [item["url"] for item in items_for(user, "/")]


def test_navigation_shows_each_role_only_its_items(world):
    common = ["/", "/accounts/history/", "/accounts/password/", "/accounts/sessions/"]
    assert _nav(world.users["hunan_system"]) == [*common[:1], "/units/", *common[1:]]
    security = ["/accounts/users/", "/accounts/policy/"]
    assert _nav(world.users["hunan_security"]) == [*common[:1], *security, *common[1:]]
    assert _nav(world.users["hunan_audit"]) == [*common[:1], "/audit/", *common[1:]]
    business = _nav(world.users["hunan"])
    assert "/units/" not in business and "/audit/" not in business
    assert "/accounts/users/" not in business and "/collectives/" in business


def test_security_admin_lists_the_accounts_of_its_subtree(world, login_as):
    world.users["changde"].locked_until = "2999-01-01T00:00:00+08:00"
    world.users["changde"].save(update_fields=["locked_until"])
    client = login_as(world.users["hunan_security"])
    everyone = client.get("/accounts/users/").context["page"].items
    assert "admin-guangdong" not in [a.username for a in everyone]
    assert "admin-wuling" in [a.username for a in everyone]
    locked = client.get("/accounts/users/", {"locked": "on"}).context["page"].items
    assert [a.username for a in locked] == ["admin-changde"]


def test_security_account_list_query_count_does_not_grow(world, login_as):
    client = login_as(world.users["hunan_security"])
    few = count_queries(lambda: client.get("/accounts/users/?page_size=200"))
    for i in range(25):
        UserFactory(username=f"many-{i}", unit=world.wuling)
    assert count_queries(lambda: client.get("/accounts/users/?page_size=200")) == few


def test_home_page_links_each_role_to_its_work(world, login_as):
    system = login_as(world.users["hunan_system"]).get("/").content.decode()
    assert 'href="/units/"' in system and 'href="/audit/"' not in system
    audit = login_as(world.users["hunan_audit"]).get("/").content.decode()
    assert 'href="/audit/"' in audit and 'href="/units/"' not in audit
