import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.units.models import Unit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_list_is_scoped_to_the_subtree(world, api_client):
    body = api_client.as_user(world.users["hunan_system"]).get("/units").json()
    assert body["count"] == 3
    assert [u["name"] for u in body["results"]] == ["湖南省团委", "常德市团委", "武陵区团委"]


def test_list_filters_by_parent_and_line(world, api_client):
    api_client.as_user(world.users["national_system"])
    body = api_client.get("/units", {"parent": world.national.pk, "line": "INDUSTRY"}).json()
    assert [u["name"] for u in body["results"]] == ["交通运输部团委"]


def test_list_rejects_bad_query_values(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).get("/units", {"page_size": 1000})
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def test_list_query_count_does_not_grow_with_page_size(
    world, api_client, django_assert_num_queries
):
    api_client.as_user(world.users["hunan_system"])
    for i in range(30):
        UnitFactory(name=f"县{i}", parent=world.changde, tier=3)
    with django_assert_num_queries(3):
        assert len(api_client.get("/units", {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(3):
        assert len(api_client.get("/units", {"page_size": 200}).json()["results"]) == 33


def test_create_child_unit(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        "/units", {"name": "衡阳市团委", "line": "REGION", "tier": 2, "parent": world.hunan.pk}
    )
    assert response.status_code == 201
    assert response.json()["parent"] == world.hunan.pk
    assert Unit.objects.filter(name="衡阳市团委", parent=world.hunan).exists()


def test_create_under_another_province_is_404(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        "/units", {"name": "x", "line": "REGION", "tier": 2, "parent": world.guangdong.pk}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_create_with_bad_values_is_400(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        "/units", {"name": "x", "line": "SIDEWAYS", "tier": "two", "parent": world.hunan.pk}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"line", "tier"}


def test_create_duplicate_is_409(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        "/units", {"name": "常德市团委", "line": "REGION", "tier": 2, "parent": world.hunan.pk}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "unit_exists"


def test_create_admin_returns_a_one_time_password(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        f"/units/{world.changde.pk}/admins", {"username": "cd-two", "display_name": "赵六"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "cd-two" and len(body["one_time_password"]) == 14
    assert AuditEntry.objects.filter(
        action="account.create", actor_username="admin-hunan_system"
    ).exists()


def test_create_admin_with_taken_username_is_409(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        f"/units/{world.changde.pk}/admins", {"username": "admin-hunan", "display_name": "x"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "username_taken"


def test_create_admin_with_bad_username_is_400(world, api_client):
    response = api_client.as_user(world.users["hunan_system"]).post(
        f"/units/{world.changde.pk}/admins", {"username": "<script>", "display_name": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_username"


def test_collective_or_judge_cannot_use_units_api(world, api_client):
    response = api_client.as_user(world.users["judge"]).get("/units")
    assert response.status_code == 403
