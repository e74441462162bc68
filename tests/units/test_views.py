import pytest

from qnwmh.accounts.enums import AdminRole
from qnwmh.accounts.models import User
from qnwmh.units.models import Unit
from tests.conftest import count_queries
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_units_index_opens_own_unit(world, login_as):
    response = login_as(world.users["national_system"]).get("/units/")
    assert response.url == f"/units/{world.national.pk}/"


def test_unit_page_shows_children_and_admins_with_their_role(world, login_as):
    body = login_as(world.users["hunan_system"]).get(f"/units/{world.hunan.pk}/").content.decode()
    assert "常德市团委" in body and "admin-hunan_audit" in body
    assert "审计管理员" in body and "业务管理员" in body


@pytest.mark.parametrize("persona", ["hunan", "hunan_security", "hunan_audit", "judge"])
def test_units_pages_are_the_system_admins_only(world, login_as, persona):
    client = login_as(world.users[persona])
    assert client.get("/units/").status_code == 404
    assert client.get(f"/units/{world.hunan.pk}/").status_code == 404


def test_create_child_keeps_what_was_typed_on_error(world, login_as):
    client = login_as(world.users["hunan_system"])
    response = client.post(
        f"/units/{world.hunan.pk}/children/", {"name": "常德市团委", "line": "REGION", "tier": "2"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "湖南省团委 下已有名为“常德市团委”的单位。" in body
    assert 'value="常德市团委"' in body


def test_create_child_redirects_to_the_new_unit(world, login_as):
    response = login_as(world.users["hunan_system"]).post(
        f"/units/{world.hunan.pk}/children/", {"name": "衡阳市团委", "line": "REGION", "tier": "2"}
    )
    unit = Unit.objects.get(name="衡阳市团委")
    assert response.url == f"/units/{unit.pk}/"


def test_create_admin_shows_the_one_time_password_once(world, login_as):
    response = login_as(world.users["hunan_system"]).post(
        f"/units/{world.changde.pk}/admins/",
        {"username": "cd-new", "display_name": "新管理员", "admin_role": "AUDIT"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "cd-new" in response.content.decode()
    assert User.objects.get(username="cd-new").admin_role == AdminRole.AUDIT


def test_create_admin_without_a_role_keeps_what_was_typed(world, login_as):
    response = login_as(world.users["hunan_system"]).post(
        f"/units/{world.changde.pk}/admins/",
        {"username": "cd-new", "display_name": "新管理员", "admin_role": "SYSTEM,AUDIT"},
    )
    assert response.status_code == 400
    assert 'value="cd-new"' in response.content.decode()
    assert not User.objects.filter(username="cd-new").exists()


def test_system_admin_resets_and_security_admin_unlocks(world, login_as):
    target = world.users["changde"]
    response = login_as(world.users["hunan_system"]).post(
        f"/units/accounts/{target.pk}/reset-password/"
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.must_change_password
    response = login_as(world.users["hunan_security"]).post(f"/units/accounts/{target.pk}/unlock/")
    assert response.url == f"/units/accounts/{target.pk}/"


def test_system_admin_cannot_unlock_nor_security_admin_reset(world, login_as):
    target = world.users["changde"]
    system = login_as(world.users["hunan_system"])
    assert system.post(f"/units/accounts/{target.pk}/unlock/").status_code == 404
    security = login_as(world.users["hunan_security"])
    assert security.post(f"/units/accounts/{target.pk}/reset-password/").status_code == 404


def test_own_account_cannot_be_reset_from_the_tree(world, login_as):
    me = world.users["hunan_system"]
    response = login_as(me).post(f"/units/accounts/{me.pk}/reset-password/")
    assert response.status_code == 403
    assert "您没有执行此操作的权限。" in response.content.decode()


def test_non_admin_gets_404(world, login_as):
    assert login_as(world.users["judge"]).get("/units/").status_code == 404


def test_unit_page_query_count_does_not_grow(world, login_as):
    client = login_as(world.users["hunan_system"])
    page = f"/units/{world.hunan.pk}/?page_size=200"
    few = count_queries(lambda: client.get(page))
    for i in range(25):
        child = UnitFactory(name=f"市{i}", parent=world.hunan, tier=2)
        UserFactory(unit=child)
        UserFactory(unit=world.hunan)
    assert count_queries(lambda: client.get(page)) == few
