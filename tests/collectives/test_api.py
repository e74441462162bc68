"""API v1 /collectives, as ../shared/API.md."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.accounts.models import User
from qnwmh.audit.models import AuditEntry
from qnwmh.collectives.models import Collective
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.registrations.models import Registration
from tests.collectives.factories import (
    CollectiveFactory,
    FormerNameFactory,
    FrozenCollectiveFactory,
    TitleFactory,
)

pytestmark = pytest.mark.django_db


def _body(unit, name="武陵区人民医院急诊科", **extra):
    return {"name": name, "unit": unit.pk, "line": "REGION", **extra}


def test_post_creates_with_one_time_password(world, api_client):
    response = api_client.as_user(world.users["changde"]).post(
        "/collectives", _body(world.wuling, ownership="NON_PUBLIC", industry="卫生健康")
    )
    assert response.status_code == 201
    body = response.json()
    collective = Collective.objects.get()
    assert body["code"] == collective.code
    assert collective.user.check_password(body["one_time_password"])
    assert body["collective"] == {
        "code": collective.code,
        "name": "武陵区人民医院急诊科",
        "former_names": [],
        "unit": {"id": world.wuling.pk, "name": "武陵区团委"},
        "line": "REGION",
        "industry": "卫生健康",
        "ownership": "NON_PUBLIC",
        "leader_name": "",
        "phone": "",
        "data_ok": True,
        "frozen_reasons": [],
        "titles": [],
    }
    assert AuditEntry.objects.filter(action="collective.create").count() == 1


def test_post_duplicate_is_409_with_existing_code(world, api_client):
    existing = CollectiveFactory(unit=world.wuling, name="武陵区人民医院急诊科")
    response = api_client.as_user(world.users["hunan"]).post(
        "/collectives", _body(world.changde, name="武陵区人民医院（急诊科）")
    )
    assert response.status_code == 409
    message = (
        f"集体“武陵区人民医院急诊科”已存在，编码为 {existing.code}（归口单位：武陵区团委）。"
        "一个集体只有一个编码：请使用现有编码；如归口单位有误，请由同时管辖两个单位的上级管理员将其转移。"
    )
    assert response.json() == {
        "error": {
            "code": "collective_exists",
            "message": message,
            "fields": {"name": [message]},
            "existing_code": existing.code,
        }
    }


def test_post_unit_outside_subtree_is_404(world, api_client):
    response = api_client.as_user(world.users["guangdong"]).post(
        "/collectives", _body(world.wuling)
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Collective.objects.count() == 0


def test_post_by_collective_or_judge_is_403(world, api_client):
    collective_user = CollectiveFactory(unit=world.wuling).user
    for user in (collective_user, world.users["judge"]):
        response = api_client.as_user(user).post("/collectives", _body(world.wuling, name="新集体"))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert Collective.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit": 1, "line": "REGION"}, "name"),
        ({"name": "甲集体", "line": "REGION"}, "unit"),
        ({"name": "甲集体", "unit": "abc", "line": "REGION"}, "unit"),
        ({"name": "甲集体", "unit": 1, "line": "CITY"}, "line"),
        ({"name": "甲集体", "unit": 1, "line": "REGION", "ownership": "STATE"}, "ownership"),
        ({"name": "集" * 201, "unit": 1, "line": "REGION"}, "name"),
        ({"name": "甲集体", "unit": 1, "line": "REGION", "code": "123"}, "code"),
        ({"name": ["甲"], "unit": 1, "line": "REGION"}, "name"),
    ],
)
def test_post_bad_input_is_400(world, api_client, body, field):
    response = api_client.as_user(world.users["national"]).post("/collectives", body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]


def test_post_not_json_is_400(world, api_client):
    response = api_client.as_user(world.users["national"]).post("/collectives", raw="{not json")
    assert response.status_code == 400
    response = api_client.as_user(world.users["national"]).post("/collectives", raw="[1, 2]")
    assert response.status_code == 400


def test_post_domain_validation_is_400_with_fields(world, api_client):
    response = api_client.as_user(world.users["changde"]).post(
        "/collectives", _body(world.changde, name="（）", phone="12")
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "name": ["名称至少要有两个汉字、字母或数字。"],
        "phone": ["请输入 11 位手机号码或带区号的固定电话，如 0736-1234567。"],
    }


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_list_searches_the_subtree(world, api_client):
    hospital = CollectiveFactory(code="5200000001", unit=world.wuling, name="武陵区人民医院急诊科")
    FormerNameFactory(collective=hospital, name="武陵区医院急救中心")
    CollectiveFactory(code="5300000001", unit=world.changde, name="常德烟草物流配送中心")
    CollectiveFactory(code="5400000001", unit=world.guangzhou, name="广州地铁三号线乘务中心")
    client = api_client.as_user(world.users["hunan"])
    assert _codes(client.get("/collectives")) == ["5200000001", "5300000001"]
    assert _codes(client.get("/collectives", {"q": "520"})) == ["5200000001"]
    assert _codes(client.get("/collectives", {"q": "急救中心"})) == ["5200000001"]
    assert _codes(client.get("/collectives", {"q": "烟草"})) == ["5300000001"]
    assert _codes(client.get("/collectives", {"q": "广州地铁"})) == []
    assert _codes(client.get("/collectives", {"unit": world.wuling.pk})) == ["5200000001"]
    assert client.get("/collectives", {"unit": world.guangzhou.pk}).status_code == 404
    response = client.get("/collectives", {"page_size": 1, "page": 2})
    assert response.json()["count"] == 2
    assert _codes(response) == ["5300000001"]


def test_list_filters_by_cycle_and_state(world, api_client):
    cycle = Cycle.objects.create(
        name="2025—2026年度湖南省青年文明号",
        level=Level.PROVINCIAL,
        unit=world.hunan,
        registration_opens=datetime.date(2025, 1, 1),
        registration_closes=datetime.date(2026, 6, 30),
    )
    registered = CollectiveFactory(code="5200000001", unit=world.wuling)
    approved = CollectiveFactory(code="5200000002", unit=world.wuling)
    CollectiveFactory(code="5200000003", unit=world.wuling)
    for collective, state in ((registered, "submitted"), (approved, "approved")):
        Registration.objects.create(
            cycle=cycle,
            collective=collective,
            unit=world.wuling,
            unit_path=world.wuling.path,
            state=state,
        )
    client = api_client.as_user(world.users["changde"])
    assert _codes(client.get("/collectives", {"cycle": cycle.pk})) == ["5200000001", "5200000002"]
    assert _codes(client.get("/collectives", {"cycle": cycle.pk, "state": "approved"})) == [
        "5200000002"
    ]
    assert _codes(client.get("/collectives", {"state": "submitted"})) == ["5200000001"]
    assert _codes(client.get("/collectives", {"cycle": cycle.pk + 100})) == []


@pytest.mark.parametrize(
    "query",
    [{"state": "flying"}, {"cycle": "x"}, {"page": 0}, {"page_size": 201}, {"data_ok": "maybe"}],
)
def test_list_bad_query_is_400(world, api_client, query):
    response = api_client.as_user(world.users["hunan"]).get("/collectives", query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_list_by_collective_is_403(world, api_client):
    collective_user = CollectiveFactory(unit=world.wuling).user
    assert api_client.as_user(collective_user).get("/collectives").status_code == 403


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/collectives", {"page_size": 50})
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_rows(world, api_client):
    client = api_client.as_user(world.users["hunan"])
    first = CollectiveFactory(unit=world.wuling)
    FormerNameFactory(collective=first)
    TitleFactory(collective=first)
    one = _list_queries(client)
    for _n in range(15):
        collective = CollectiveFactory(unit=world.changde)
        FormerNameFactory(collective=collective)
        TitleFactory(collective=collective)
    assert _list_queries(client) == one


def test_get_by_admin_and_by_the_collective_itself(world, api_client):
    collective = CollectiveFactory(unit=world.wuling, name="武陵区人民医院急诊科")
    TitleFactory(collective=collective, level="PROVINCIAL", year=2022, name="湖南省青年文明号")
    for user in (world.users["changde"], collective.user):
        response = api_client.as_user(user).get(f"/collectives/{collective.code}")
        assert response.status_code == 200
        assert response.json()["titles"] == [
            {"level": "PROVINCIAL", "year": 2022, "name": "湖南省青年文明号", "revoked": False}
        ]


def test_get_outside_subtree_or_another_collective_is_404(world, api_client):
    collective = CollectiveFactory(unit=world.wuling)
    other = CollectiveFactory(unit=world.wuling)
    for user in (world.users["guangdong"], other.user):
        response = api_client.as_user(user).get(f"/collectives/{collective.code}")
        assert response.status_code == 404
    assert (
        api_client.as_user(world.users["judge"]).get(f"/collectives/{collective.code}").status_code
        == 403
    )


def test_patch_name_moves_old_name_to_former_names(world, api_client):
    collective = CollectiveFactory(unit=world.wuling, name="甲科室")
    response = api_client.as_user(world.users["changde"]).patch(
        f"/collectives/{collective.code}", {"name": "乙科室", "industry": "卫生健康"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["former_names"], body["industry"]) == (
        "乙科室",
        ["甲科室"],
        "卫生健康",
    )
    assert AuditEntry.objects.filter(action="collective.rename").count() == 1
    assert AuditEntry.objects.filter(action="collective.update").count() == 1


def test_patch_conflict_and_bad_input(world, api_client):
    CollectiveFactory(unit=world.guangzhou, name="广州地铁三号线乘务中心")
    collective = CollectiveFactory(unit=world.wuling, name="甲科室")
    client = api_client.as_user(world.users["changde"])
    response = client.patch(f"/collectives/{collective.code}", {"name": "广州地铁三号线乘务中心"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "collective_exists"
    response = client.patch(f"/collectives/{collective.code}", {"unit": world.changde.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"unit": ["不允许填写此字段。"]}
    response = client.patch(f"/collectives/{collective.code}", {"ownership": "STATE"})
    assert response.status_code == 400


def test_patch_by_the_collective_itself_is_403(world, api_client):
    collective = CollectiveFactory(unit=world.wuling, name="甲科室")
    response = api_client.as_user(collective.user).patch(
        f"/collectives/{collective.code}", {"name": "乙科室"}
    )
    assert response.status_code == 403
    assert Collective.objects.get(pk=collective.pk).name == "甲科室"


def test_password_reset_by_admin_above(world, api_client):
    collective = CollectiveFactory(unit=world.wuling)
    response = api_client.as_user(world.users["hunan"]).post(
        f"/collectives/{collective.code}/password-reset"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == collective.code
    assert User.objects.get(pk=collective.user.pk).check_password(body["one_time_password"])


def test_password_reset_by_another_province_is_404(world, api_client):
    collective = CollectiveFactory(unit=world.wuling)
    response = api_client.as_user(world.users["guangdong"]).post(
        f"/collectives/{collective.code}/password-reset"
    )
    assert response.status_code == 404
    assert User.objects.get(pk=collective.user.pk).must_change_password is False


def _delete(client, path):
    headers = {"Authorization": f"Bearer {client.token}"}
    return client.client.delete(f"/api/v1{path}", headers=headers)


def test_unfreeze_and_delete(world, api_client):
    frozen = FrozenCollectiveFactory(unit=world.changde)
    other = FrozenCollectiveFactory(unit=world.changde)
    client = api_client.as_user(world.users["changde"])
    response = client.post(f"/collectives/{frozen.code}/unfreeze", {})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "ownership": ["性质请选择公有制、非公有制经济或社会组织。"]
    }
    response = client.post(f"/collectives/{frozen.code}/unfreeze", {"ownership": "PUBLIC"})
    assert response.status_code == 200
    assert (response.json()["data_ok"], response.json()["frozen_reasons"]) == (True, [])
    response = client.post(f"/collectives/{frozen.code}/unfreeze", {"ownership": "PUBLIC"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_handled"
    response = _delete(client, f"/collectives/{frozen.code}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_frozen"
    response = _delete(client, f"/collectives/{other.code}")
    assert response.status_code == 204
    assert not Collective.objects.filter(pk=other.pk).exists()


def test_unfreeze_outside_subtree_is_404(world, api_client):
    frozen = FrozenCollectiveFactory(unit=world.changde)
    response = api_client.as_user(world.users["guangzhou"]).post(
        f"/collectives/{frozen.code}/unfreeze", {"ownership": "PUBLIC"}
    )
    assert response.status_code == 404


def test_transfer(world, api_client):
    collective = CollectiveFactory(unit=world.changde)
    client = api_client.as_user(world.users["changde"])
    response = client.post(f"/collectives/{collective.code}/transfer", {"unit": world.wuling.pk})
    assert response.status_code == 200
    assert response.json()["unit"] == {"id": world.wuling.pk, "name": "武陵区团委"}
    response = client.post(f"/collectives/{collective.code}/transfer", {"unit": world.guangzhou.pk})
    assert response.status_code == 404


def test_candidates(world, api_client):
    existing = CollectiveFactory(unit=world.guangzhou, name="长沙银行股份有限公司营业部")
    response = api_client.as_user(world.users["hunan"]).get(
        "/collectives/candidates", {"name": "长沙银行营业部"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "results": [
            {
                # Another province: the unit, never the code (issue 10 item 10).
                "code": None,
                "name": "长沙银行股份有限公司营业部",
                "matched_name": "长沙银行股份有限公司营业部",
                "exact": False,
                "in_jurisdiction": False,
                "unit": {"id": world.guangzhou.pk, "name": "广州市团委"},
            }
        ],
    }
    assert existing.code not in response.content.decode()
    assert api_client.get("/collectives/candidates").status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/collectives/{code}", None),
        ("patch", "/collectives/{code}", {"industry": "金融"}),
        ("post", "/collectives/{code}/password-reset", {}),
        ("post", "/collectives/{code}/unfreeze", {"ownership": "PUBLIC"}),
        ("post", "/collectives/{code}/transfer", {"unit": 1}),
        ("delete", "/collectives/{code}", None),
    ],
)
def test_endpoints_outside_subtree_are_404(world, api_client, method, path, body):
    frozen = FrozenCollectiveFactory(unit=world.changde)
    client = api_client.as_user(world.users["guangdong"])
    path = path.format(code=frozen.code)
    if method == "delete":
        response = _delete(client, path)
    elif method == "get":
        response = client.get(path)
    else:
        response = getattr(client, method)(path, body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Collective.objects.filter(pk=frozen.pk, data_ok=False).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/collectives"),
        ("get", "/collectives/candidates?name=甲"),
        ("post", "/collectives/{code}/password-reset"),
        ("post", "/collectives/{code}/unfreeze"),
        ("delete", "/collectives/{code}"),
    ],
)
def test_endpoints_for_admins_only(world, api_client, method, path):
    collective = CollectiveFactory(unit=world.wuling)
    client = api_client.as_user(collective.user)
    path = path.format(code=collective.code)
    response = _delete(client, path) if method == "delete" else getattr(client, method)(path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


# Found by the API fuzzer (tests/security/test_fuzz_api.py): ids beyond 64 bits reached the
# database (SQLite: OverflowError, a 500).
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"/collectives?unit={2**70}", None),
        ("get", f"/collectives?cycle={2**70}", None),
        ("get", f"/collectives?page={2**70}", None),
        ("post", "/collectives", "huge unit"),
    ],
)
def test_ids_beyond_64_bits_are_400(world, api_client, method, path, body):
    client = api_client.as_user(world.users["hunan"])
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, _body(world.wuling) | {"unit": 2**70})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")
