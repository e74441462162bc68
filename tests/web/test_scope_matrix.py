"""Every admin against every unit's pages and API endpoints: no read, no write outside the
subtree (and everything inside it). Units and admin accounts are the system administrator's,
an account's login history the security administrator's (三权分立): each persona's unit gets
one of each."""

import pytest

from qnwmh.accounts.enums import AdminRole
from tests.conftest import ADMIN_PERSONAS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNIT_KEYS = ["national", "hunan", "changde", "wuling", "guangdong", "guangzhou", "transport"]


def _role_admin(world, persona, role):
    key = f"{persona}_{role.lower()}"
    if key not in world.users:
        world.users[key] = UserFactory(
            username=f"admin-{key}", unit=world.units[persona], admin_role=role
        )
    return world.users[key]


def _inside(world, persona, unit_key) -> bool:
    return world.units[unit_key].path.startswith(world.units[persona].path)


@pytest.mark.parametrize("persona", ADMIN_PERSONAS)
def test_unit_pages_and_api_follow_the_subtree(world, persona, login_as, api_client):
    from django.test import Client

    system = _role_admin(world, persona, AdminRole.SYSTEM)
    client = login_as(system)
    security = Client()
    security.force_login(_role_admin(world, persona, AdminRole.SECURITY))
    api_client.as_user(system)
    for key in UNIT_KEYS:
        unit = world.units[key]
        inside = _inside(world, persona, key)
        expected = 200 if inside else 404
        assert client.get(f"/units/{unit.pk}/").status_code == expected, (persona, key)
        assert api_client.get(f"/units/{unit.pk}").status_code == expected, (persona, key)
        admin = world.users[key]
        page = security.get(f"/units/accounts/{admin.pk}/")
        assert page.status_code == expected, (persona, key)


@pytest.mark.parametrize("persona", ADMIN_PERSONAS)
def test_unit_writes_follow_the_subtree(world, persona, login_as, api_client):
    system = _role_admin(world, persona, AdminRole.SYSTEM)
    client = login_as(system)
    api_client.as_user(system)
    for key in UNIT_KEYS:
        unit = world.units[key]
        inside = _inside(world, persona, key)
        body = {"name": f"{persona}新建", "line": unit.line, "tier": 3, "parent": unit.pk}
        response = api_client.post("/units", body)
        if not inside:
            assert response.status_code == 404, (persona, key)
            page = client.post(
                f"/units/{unit.pk}/children/", {"name": "x", "line": unit.line, "tier": 3}
            )
            assert page.status_code == 404, (persona, key)
            admin_page = client.post(
                f"/units/{unit.pk}/admins/", {"username": "intruder", "display_name": "x"}
            )
            assert admin_page.status_code == 404, (persona, key)
            reset = client.post(f"/units/accounts/{world.users[key].pk}/reset-password/")
            assert reset.status_code == 404, (persona, key)
        else:
            assert response.status_code in (201, 400), (persona, key)


@pytest.mark.parametrize("persona", ADMIN_PERSONAS)
def test_unit_list_holds_exactly_the_subtree(world, persona, api_client):
    system = _role_admin(world, persona, AdminRole.SYSTEM)
    body = api_client.as_user(system).get("/units", {"page_size": 200}).json()
    expected = {world.units[k].pk for k in UNIT_KEYS if _inside(world, persona, k)}
    assert {u["id"] for u in body["results"]} == expected
