import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.audit.models import AuditEntry
from qnwmh.cycles.models import Cycle
from tests.cycles.factories import CycleFactory

pytestmark = pytest.mark.django_db


def _body(owner, **changes):
    body = {
        "name": "2025—2026年度湖南省青年文明号",
        "level": "PROVINCIAL",
        "unit": owner.pk,
        "registration_opens": "2025-11-01",
        "registration_closes": "2026-12-31",
        "evaluation_quota_multiplier": 10,
        "rules": {},
    }
    body.update(changes)
    return body


def test_create_cycle_defaults_from_level(world, api_client):
    response = api_client.as_user(world.users["hunan"]).post("/cycles", _body(world.hunan))

    assert response.status_code == 201
    data = response.json()
    cycle = Cycle.objects.get()
    assert data == {
        "id": cycle.pk,
        "name": "2025—2026年度湖南省青年文明号",
        "level": "PROVINCIAL",
        "unit": world.hunan.pk,
        "unit_name": "湖南省团委",
        "previous": None,
        "registration_opens": "2025-11-01",
        "registration_closes": "2026-12-31",
        "evaluation_quota_multiplier": 10,
        "is_open": data["is_open"],
        "rules": {
            "min_members": 6,
            "max_members": 200,
            "youth_max_age": 35,
            "min_youth_percent": 50,
            "leader_max_age": 40,
            "prior_title_levels": ["NATIONAL", "PROVINCIAL", "CITY"],
            "prior_title_min_year": None,
            "approval_delegated": False,
        },
    }
    assert cycle.created_by == world.users["hunan"]


@pytest.mark.parametrize(
    ("persona", "level", "expected"),
    [
        ("national", "NATIONAL", ["NATIONAL", "PROVINCIAL"]),
        ("hunan", "PROVINCIAL", ["NATIONAL", "PROVINCIAL", "CITY"]),
        ("changde", "CITY", ["NATIONAL", "PROVINCIAL", "CITY", "COUNTY"]),
        ("wuling", "COUNTY", []),
    ],
)
def test_create_cycle_prior_levels_default_per_level(world, api_client, persona, level, expected):
    """Each unit organises cycles of its own level (API.md "one 届次 across the tree")."""
    unit = world.units[persona]
    response = api_client.as_user(world.users[persona]).post("/cycles", _body(unit, level=level))

    assert response.status_code == 201
    assert response.json()["rules"]["prior_title_levels"] == expected


def test_create_cycle_with_rules_and_previous(world, api_client):
    previous = CycleFactory(
        unit=world.hunan,
        registration_opens=datetime.date(2023, 7, 1),
        registration_closes=datetime.date(2025, 10, 31),
    )
    rules = {
        "min_members": 10,
        "max_members": 50,
        "youth_max_age": 30,
        "min_youth_percent": 60,
        "leader_max_age": 38,
        "prior_title_levels": ["PROVINCIAL", "NATIONAL"],
        "prior_title_min_year": 2020,
        "approval_delegated": True,
        "previous": previous.pk,
    }
    response = api_client.as_user(world.users["hunan"]).post(
        "/cycles", _body(world.hunan, evaluation_quota_multiplier=2, rules=rules)
    )

    assert response.status_code == 201
    data = response.json()
    assert data["previous"] == previous.pk
    assert data["evaluation_quota_multiplier"] == 2
    rules.pop("previous")
    rules["prior_title_levels"] = ["NATIONAL", "PROVINCIAL"]  # stored from the highest down
    assert data["rules"] == rules


def test_create_cycle_of_another_level_forbidden(world, api_client):
    """A province runs provincial cycles only: a national one of its own is 403 (API.md), so
    there is never a second national cycle of the same period (issue 10 item 1)."""
    response = api_client.as_user(world.users["hunan"]).post(
        "/cycles", _body(world.hunan, level="NATIONAL", name="2025—2026年度全国青年文明号（湖南）")
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Cycle.objects.count() == 0


def test_create_cycle_industry_unit_forbidden(world, api_client):
    response = api_client.as_user(world.users["transport"]).post("/cycles", _body(world.transport))

    assert response.status_code == 403


def test_create_cycle_opening_derived_from_previous(world, api_client):
    previous = CycleFactory(
        unit=world.hunan,
        level="PROVINCIAL",
        registration_opens=datetime.date(2023, 7, 1),
        registration_closes=datetime.date(2025, 10, 31),
    )
    body = _body(world.hunan, previous=previous.pk)
    body.pop("registration_opens")

    response = api_client.as_user(world.users["hunan"]).post("/cycles", body)

    assert response.status_code == 201
    assert response.json()["registration_opens"] == "2025-11-01"


def test_create_cycle_opening_must_follow_previous(world, api_client):
    previous = CycleFactory(
        unit=world.hunan,
        level="PROVINCIAL",
        registration_opens=datetime.date(2023, 7, 1),
        registration_closes=datetime.date(2025, 10, 31),
    )
    body = _body(world.hunan, previous=previous.pk, registration_opens="2025-11-02")

    response = api_client.as_user(world.users["hunan"]).post("/cycles", body)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["registration_opens"]


def test_create_cycle_opening_required_without_previous(world, api_client):
    body = _body(world.hunan)
    body.pop("registration_opens")

    response = api_client.as_user(world.users["hunan"]).post("/cycles", body)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["registration_opens"]


def test_create_cycle_national_for_a_province(world, api_client):
    response = api_client.as_user(world.users["national"]).post("/cycles", _body(world.hunan))

    assert response.status_code == 201
    assert response.json()["unit"] == world.hunan.pk


@pytest.mark.parametrize("persona", ["changde", "wuling", "guangzhou"])
def test_create_cycle_lower_tiers_forbidden(world, api_client, persona):
    unit = world.units[persona]
    response = api_client.as_user(world.users[persona]).post("/cycles", _body(unit))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Cycle.objects.count() == 0


def test_create_cycle_other_province_rejected(world, api_client):
    response = api_client.as_user(world.users["guangdong"]).post("/cycles", _body(world.hunan))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"unit": ["请选择您管辖范围内的单位。"]}
    assert Cycle.objects.count() == 0


def test_create_cycle_judge_forbidden(world, api_client):
    response = api_client.as_user(world.users["judge"]).post("/cycles", _body(world.hunan))

    assert response.status_code == 403


def test_create_cycle_anonymous_401(world, api_client):
    response = api_client.post("/cycles", _body(world.hunan))

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (
            {"registration_opens": "2026-01-02", "registration_closes": "2026-01-01"},
            {"registration_closes": ["报备截止日期不能早于开始日期。"]},
        ),
        (
            {"rules": {"min_members": 50, "max_members": 49}},
            {"rules.max_members": ["上限不能小于下限。"]},
        ),
        (
            {"rules": {"min_youth_percent": 0}},
            {"rules.min_youth_percent": ["请输入 1 到 100 之间的整数。"]},
        ),
        (
            {"rules": {"min_youth_percent": 101}},
            {"rules.min_youth_percent": ["请输入 1 到 100 之间的整数。"]},
        ),
        (
            {"evaluation_quota_multiplier": 0},
            {"evaluation_quota_multiplier": ["请输入 1 到 100 之间的整数。"]},
        ),
        ({"name": "  "}, {"name": ["请填写届次名称。"]}),
        ({"name": "届" * 101}, {"name": ["名称不能超过 100 个字符。"]}),
        ({"unit": 999999}, {"unit": ["请选择您管辖范围内的单位。"]}),
        ({"previous": 999999}, {"previous": ["请从您能看到的届次中选择。"]}),
    ],
)
def test_create_cycle_invalid_400_with_fields(world, api_client, changes, fields):
    response = api_client.as_user(world.users["hunan"]).post(
        "/cycles", _body(world.hunan, **changes)
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert Cycle.objects.count() == 0


def test_create_cycle_percent_boundaries_accepted(world, api_client):
    client = api_client.as_user(world.users["hunan"])
    low = client.post("/cycles", _body(world.hunan, name="甲", rules={"min_youth_percent": 1}))
    high = client.post("/cycles", _body(world.hunan, name="乙", rules={"min_youth_percent": 100}))
    same = client.post(
        "/cycles", _body(world.hunan, name="丙", rules={"min_members": 20, "max_members": 20})
    )
    one_day = client.post(
        "/cycles",
        _body(
            world.hunan,
            name="丁",
            registration_opens="2026-01-01",
            registration_closes="2026-01-01",
        ),
    )

    assert [r.status_code for r in (low, high, same, one_day)] == [201, 201, 201, 201]


def test_create_cycle_bad_types_400(world, api_client):
    response = api_client.as_user(world.users["hunan"]).post(
        "/cycles", _body(world.hunan, level="GALACTIC", registration_opens="2025-13-01")
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"level", "registration_opens"}


def test_create_cycle_previous_must_close_before(world, api_client):
    later = CycleFactory(
        unit=world.hunan,
        registration_opens=datetime.date(2026, 1, 1),
        registration_closes=datetime.date(2027, 1, 1),
    )
    response = api_client.as_user(world.users["hunan"]).post(
        "/cycles", _body(world.hunan, previous=later.pk)
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "previous": ["上一届次必须早于本届次结束（上一届次截止于 2027-01-01）。"]
    }


def test_create_cycle_previous_outside_scope_rejected(world, api_client):
    other = CycleFactory(
        unit=world.guangdong,
        registration_opens=datetime.date(2019, 1, 1),
        registration_closes=datetime.date(2020, 1, 1),
    )
    response = api_client.as_user(world.users["hunan"]).post(
        "/cycles", _body(world.hunan, previous=other.pk)
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"previous": ["请从您能看到的届次中选择。"]}


def test_create_cycle_duplicate_name_409(world, api_client):
    client = api_client.as_user(world.users["hunan"])
    client.post("/cycles", _body(world.hunan))
    response = client.post("/cycles", _body(world.hunan))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "cycle_exists"
    assert list(error["fields"]) == ["name"]
    assert Cycle.objects.count() == 1


def test_create_cycle_audited(world, api_client):
    response = api_client.as_user(world.users["hunan"]).post("/cycles", _body(world.hunan))

    entry = AuditEntry.objects.get(action="cycle.create")
    assert entry.actor == world.users["hunan"]
    assert entry.object_id == str(response.json()["id"])
    assert entry.scope_path == world.hunan.path
    assert entry.changes["name"] == [None, "2025—2026年度湖南省青年文明号"]
    assert entry.changes["unit"] == [None, "湖南省团委"]
    assert entry.changes["min_members"] == [None, 6]


def test_update_cycle_audited_before_after(world, api_client):
    client = api_client.as_user(world.users["hunan"])
    cycle_id = client.post("/cycles", _body(world.hunan)).json()["id"]
    response = client.put(f"/cycles/{cycle_id}", _body(world.hunan, rules={"leader_max_age": 45}))

    assert response.status_code == 200
    assert response.json()["rules"]["leader_max_age"] == 45
    entry = AuditEntry.objects.get(action="cycle.update")
    assert entry.changes == {"leader_max_age": [40, 45]}


def test_update_cycle_by_lower_tier_forbidden(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    response = api_client.as_user(world.users["changde"]).put(
        f"/cycles/{cycle.pk}", _body(world.changde)
    )

    assert response.status_code == 403


def test_update_cycle_other_province_404(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    response = api_client.as_user(world.users["guangdong"]).put(
        f"/cycles/{cycle.pk}", _body(world.guangdong)
    )

    assert response.status_code == 404


def test_get_cycle_visible(world, api_client):
    cycle = CycleFactory(unit=world.hunan, name="湖南届次")
    response = api_client.as_user(world.users["wuling"]).get(f"/cycles/{cycle.pk}")

    assert response.status_code == 200
    assert response.json()["name"] == "湖南届次"


def test_get_cycle_other_province_404(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    response = api_client.as_user(world.users["guangzhou"]).get(f"/cycles/{cycle.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_cycles_scope(world, api_client):
    national = CycleFactory(unit=world.national, name="全国届次")
    hunan = CycleFactory(unit=world.hunan, name="湖南届次")
    CycleFactory(unit=world.guangdong, name="广东届次")
    changde = CycleFactory(unit=world.changde, name="常德届次")

    response = api_client.as_user(world.users["hunan"]).get("/cycles")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert {c["id"] for c in data["results"]} == {national.pk, hunan.pk, changde.pk}


def test_list_cycles_filter_level(world, api_client):
    CycleFactory(unit=world.hunan, name="全国届次")
    provincial = CycleFactory(unit=world.hunan, name="省级届次", level="PROVINCIAL")

    response = api_client.as_user(world.users["hunan"]).get("/cycles", {"level": "PROVINCIAL"})

    assert [c["id"] for c in response.json()["results"]] == [provincial.pk]


def test_list_cycles_page_size_over_200_400(world, api_client):
    response = api_client.as_user(world.users["hunan"]).get("/cycles", {"page_size": 201})

    assert response.status_code == 400


def test_list_cycles_query_count_constant(world, api_client):
    client = api_client.as_user(world.users["hunan"])
    CycleFactory(unit=world.hunan)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/cycles").json()["count"] == 1
    for _ in range(15):
        CycleFactory(unit=world.changde, previous=Cycle.objects.first())
    with CaptureQueriesContext(connection) as many:
        assert client.get("/cycles").json()["count"] == 16

    assert len(many) == len(one)


# Found by the API fuzzer (tests/security/test_fuzz_api.py): ids beyond 64 bits reached the
# database (SQLite: OverflowError, a 500).
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/cycles?unit=-10420865670250993664", None),
        ("get", f"/cycles?page={2**70}", None),
        ("get", f"/cycles/{2**70}", None),
        (
            "put",
            "/cycles/{cycle}/quotas",
            [{"unit": 2**70, "required_registrations": 1, "evaluation_quota": 1}],
        ),
        ("post", "/cycles", "huge unit"),
    ],
)
def test_ids_beyond_64_bits_are_400(world, api_client, method, path, body):
    cycle = CycleFactory(unit=world.hunan)
    client = api_client.as_user(world.users["hunan"])
    path = path.format(cycle=cycle.pk)
    if body == "huge unit":
        body = _body(world.hunan, unit=2**70)
    response = client.get(path) if method == "get" else getattr(client, method)(path, body)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")
