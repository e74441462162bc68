"""API v1 of 网络报备: bodies exactly as ../shared/API.md, errors in the error format, scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.audit.models import AuditEntry
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration, Transition
from tests.registrations.factories import (
    CollectiveFactory,
    CycleFactory,
    FormerNameFactory,
    RegistrationFactory,
)

DRAFT = {
    "profile": {
        "member_count": 20,
        "youth_count": 10,
        "leader_name": "张青",
        "leader_birth_date": "1988-05-04",
        "ownership": "PUBLIC",
        "industry": "卫生健康",
        "phone": "0736-1234567",
        "prior_titles": [{"level": "PROVINCIAL", "year": 2024, "name": "湖南省青年文明号"}],
    },
    "plan": {"goals": "争创全国青年文明号", "measures": "青年突击队", "commitment": "群众满意"},
}
KEYS = {
    "id",
    "cycle",
    "collective",
    "unit",
    "state",
    "eligibility",
    "history",
    "profile",
    "plan",
    "return_reason",
    "submitted_at",
    "approved_at",
}


def test_put_saves_the_draft_and_answers_the_registration(api_client, cycle, collective):
    response = api_client.as_user(collective.user).put(f"/me/registrations/{cycle.pk}", DRAFT)
    body = response.json()
    assert response.status_code == 200
    assert set(body) == KEYS
    registration = Registration.objects.get()
    assert (body["id"], body["cycle"], body["state"], body["history"]) == (
        registration.pk,
        cycle.pk,
        "draft",
        [],
    )
    assert body["collective"] == {"code": "wl0001", "name": "武陵区人民医院急诊科"}
    assert body["profile"] == {**DRAFT["profile"], "address": ""}
    assert body["plan"] == DRAFT["plan"]
    assert [r["rule"] for r in body["eligibility"]] == [
        "prior_title",
        "registration_window",
        "one_per_cycle",
        "single_channel",
        "member_count",
        "youth_share",
        "leader_age",
        "data_qualified",
    ]
    assert all(r["passed"] for r in body["eligibility"])
    assert AuditEntry.objects.filter(action="registration.save_draft").count() == 1


def test_get_my_registration_and_404_before_any(api_client, cycle, collective):
    client = api_client.as_user(collective.user)
    missing = client.get(f"/me/registrations/{cycle.pk}")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    client.put(f"/me/registrations/{cycle.pk}", DRAFT)
    body = client.get(f"/me/registrations/{cycle.pk}").json()
    assert (body["state"], body["profile"]["leader_birth_date"]) == ("draft", "1988-05-04")


def test_submit_moves_to_submitted_with_history(api_client, cycle, collective):
    client = api_client.as_user(collective.user)
    client.put(f"/me/registrations/{cycle.pk}", DRAFT)
    response = client.post(f"/me/registrations/{cycle.pk}/submit")
    body = response.json()
    assert (response.status_code, body["state"]) == (200, "submitted")
    assert [(h["actor"], h["from"], h["to"], h["reason"]) for h in body["history"]] == [
        ("wl0001", "draft", "submitted", "")
    ]
    assert body["history"][0]["at"].endswith("+08:00") or body["history"][0]["at"].endswith("Z")


def test_submit_not_eligible_is_409_with_the_list(api_client, cycle, collective):
    client = api_client.as_user(collective.user)
    client.put(
        f"/me/registrations/{cycle.pk}",
        {**DRAFT, "profile": {**DRAFT["profile"], "member_count": 5, "youth_count": 3}},
    )
    response = client.post(f"/me/registrations/{cycle.pk}/submit")
    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (409, "not_eligible")
    assert error["message"] == "不符合报备条件：成员 5 人，少于下限 6 人"
    assert error["fields"]["eligibility"][4] == {
        "rule": "member_count",
        "passed": False,
        "message": "成员 5 人，少于下限 6 人",
    }
    assert Registration.objects.get().state == S.DRAFT


def test_submit_without_a_draft_is_404(api_client, cycle, collective):
    response = api_client.as_user(collective.user).post(f"/me/registrations/{cycle.pk}/submit")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"profile": {"member_count": "many"}}, "profile.member_count"),
        ({"profile": {"ownership": "public"}}, "profile.ownership"),
        ({"profile": {"leader_birth_date": "1988/05/04"}}, "profile.leader_birth_date"),
        ({"profile": {"prior_titles": [{"level": "PROVINCIAL"}]}}, "profile.prior_titles.0.year"),
        ({"profile": {"colour": "red"}}, "profile.colour"),
        ({"plan": {"goals": "字" * 5001}}, "plan.goals"),
    ],
)
def test_put_bad_input_is_400_in_the_error_format(api_client, cycle, collective, body, field):
    response = api_client.as_user(collective.user).put(f"/me/registrations/{cycle.pk}", body)
    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (400, "invalid")
    assert list(error["fields"]) == [field]
    assert not Registration.objects.exists()


def test_put_domain_validation_is_400_with_fields(api_client, cycle, collective):
    body = {"profile": {"member_count": 10, "youth_count": 11}}
    response = api_client.as_user(collective.user).put(f"/me/registrations/{cycle.pk}", body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "youth_count": ["青年成员 11 人不能多于成员总数 10 人"]
    }


def test_put_not_json_is_400(api_client, cycle, collective):
    client = api_client.as_user(collective.user)
    response = client.client.put(
        f"/api/v1/me/registrations/{cycle.pk}",
        "{not json",
        content_type="application/json",
        headers=client._headers(),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("persona", ["hunan", "judge"])
def test_me_endpoints_are_for_collectives(world, api_client, cycle, persona):
    client = api_client.as_user(world.users[persona])
    assert client.get(f"/me/registrations/{cycle.pk}").status_code == 403
    assert client.put(f"/me/registrations/{cycle.pk}", DRAFT).status_code == 403
    assert client.post(f"/me/registrations/{cycle.pk}/submit").status_code == 403


def test_me_cycle_of_another_province_is_404(world, api_client, collective):
    foreign = CycleFactory(unit=world.guangdong)
    response = api_client.as_user(collective.user).put(f"/me/registrations/{foreign.pk}", DRAFT)
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_my_registrations_list(api_client, cycle, collective, other_collective):
    RegistrationFactory(cycle=cycle, collective=collective)
    RegistrationFactory(cycle=cycle, collective=other_collective)
    body = api_client.as_user(collective.user).get("/me/registrations").json()
    assert (body["count"], body["results"][0]["collective"]["code"]) == (1, "wl0001")


# --- reviewers ---------------------------------------------------------------------------------


def test_list_is_scoped_paginated_and_filtered(world, api_client, cycle, guangdong_collective):
    for number in range(3):
        RegistrationFactory(
            cycle=cycle,
            collective=CollectiveFactory(unit=world.wuling, code=f"wl9{number}"),
            state=S.SUBMITTED,
        )
    RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.changde), state=S.APPROVED
    )
    RegistrationFactory(cycle=cycle, collective=guangdong_collective, state=S.SUBMITTED)
    client = api_client.as_user(world.users["hunan"])
    body = client.get("/registrations", {"page_size": 2}).json()
    assert (body["count"], len(body["results"])) == (4, 2)
    assert set(body["results"][0]) == KEYS
    assert client.get("/registrations", {"state": "approved"}).json()["count"] == 1
    assert client.get("/registrations", {"unit": world.wuling.pk}).json()["count"] == 3
    assert (
        client.get("/registrations", {"cycle": cycle.pk, "state": "submitted"}).json()["count"] == 3
    )
    county = api_client.as_user(world.users["wuling"]).get("/registrations").json()
    assert county["count"] == 3


def test_list_awaiting_my_action(world, api_client, cycle):
    RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling), state=S.SUBMITTED
    )
    RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling), state=S.PRE_APPROVED
    )
    county = api_client.as_user(world.users["wuling"]).get("/registrations", {"awaiting": "true"})
    assert [r["state"] for r in county.json()["results"]] == ["submitted"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"state": "SUBMITTED"}, 400),
        ({"page_size": 201}, 400),
        ({"page": 0}, 400),
        ({"cycle": "x"}, 400),
    ],
)
def test_list_bad_query_is_400(world, api_client, params, code):
    response = api_client.as_user(world.users["hunan"]).get("/registrations", params)
    assert (response.status_code, response.json()["error"]["code"]) == (code, "invalid")


def test_list_filter_outside_subtree_is_404(world, api_client, cycle):
    client = api_client.as_user(world.users["hunan"])
    assert client.get("/registrations", {"unit": world.guangzhou.pk}).status_code == 404
    foreign = CycleFactory(unit=world.guangdong)
    assert client.get("/registrations", {"cycle": foreign.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["judge"])
def test_list_and_progress_not_for_judges(world, api_client, persona):
    client = api_client.as_user(world.users[persona])
    assert client.get("/registrations").status_code == 403
    assert client.get("/progress").status_code == 403


def test_list_not_for_collectives(api_client, collective):
    client = api_client.as_user(collective.user)
    assert client.get("/registrations").status_code == 403
    assert client.get("/progress").status_code == 403


def test_get_registration_for_reviewer_and_own_collective(world, api_client, submitted, collective):
    assert (
        api_client.as_user(world.users["changde"]).get(f"/registrations/{submitted.pk}").status_code
        == 200
    )
    own = api_client.as_user(collective.user).get(f"/registrations/{submitted.pk}")
    assert (own.status_code, own.json()["id"]) == (200, submitted.pk)


@pytest.mark.parametrize(
    "persona", ["guangdong", "guangzhou", "transport", "judge", "other_collective"]
)
def test_registration_outside_reach_is_404_everywhere(
    world, api_client, submitted, persona, other_collective
):
    user = other_collective.user if persona == "other_collective" else world.users[persona]
    client = api_client.as_user(user)
    responses = [
        client.get(f"/registrations/{submitted.pk}"),
        client.post(f"/registrations/{submitted.pk}/pre-approve"),
        client.post(f"/registrations/{submitted.pk}/approve"),
        client.post(f"/registrations/{submitted.pk}/return", {"reason": "x"}),
        client.post(f"/registrations/{submitted.pk}/cancel", {"reason": "x"}),
    ]
    assert [r.status_code for r in responses] == [404] * 5
    assert all("registration" not in str(r.json()).lower() or r.json()["error"] for r in responses)
    assert Registration.objects.get().state == S.SUBMITTED


def test_transitions_answer_the_registration(world, api_client, submitted):
    pre = api_client.as_user(world.users["wuling"]).post(
        f"/registrations/{submitted.pk}/pre-approve"
    )
    assert (pre.status_code, pre.json()["state"]) == (200, "pre_approved")
    client = api_client.as_user(world.users["hunan"])
    returned = client.post(f"/registrations/{submitted.pk}/return", {"reason": "请补充材料"})
    body = returned.json()
    assert (body["state"], body["return_reason"]) == ("returned", "请补充材料")
    assert [(h["actor"], h["from"], h["to"], h["reason"]) for h in body["history"]] == [
        (world.users["wuling"].username, "submitted", "pre_approved", ""),
        (world.users["hunan"].username, "pre_approved", "returned", "请补充材料"),
    ]


def test_transition_refusals_are_403_and_409(world, api_client, submitted, collective):
    county = api_client.as_user(world.users["wuling"])
    forbidden = county.post(f"/registrations/{submitted.pk}/approve")
    assert (forbidden.status_code, forbidden.json()["error"]["code"]) == (403, "forbidden")
    own = api_client.as_user(collective.user).post(f"/registrations/{submitted.pk}/approve")
    assert own.status_code == 403
    api_client.as_user(world.users["hunan"]).post(f"/registrations/{submitted.pk}/approve")
    county = api_client.as_user(world.users["wuling"])
    conflict = county.post(f"/registrations/{submitted.pk}/pre-approve")
    assert (conflict.status_code, conflict.json()["error"]["code"]) == (409, "invalid_state")
    assert Transition.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "reason"),
        ({"reason": ""}, 400, "reason"),
        ({"reason": "字" * 1001}, 400, "reason"),
    ],
)
def test_return_bad_reason_is_400(world, api_client, submitted, body, status, field):
    response = api_client.as_user(world.users["hunan"]).post(
        f"/registrations/{submitted.pk}/return", body
    )
    assert response.status_code == status
    assert list(response.json()["error"]["fields"]) == [field]
    assert Registration.objects.get().state == S.SUBMITTED


def test_bulk_pre_approve_endpoint(world, api_client, cycle, submitted, guangdong_collective):
    theirs = RegistrationFactory(cycle=cycle, collective=guangdong_collective, state=S.SUBMITTED)
    response = api_client.as_user(world.users["changde"]).post(
        "/registrations/bulk-pre-approve", {"ids": [submitted.pk, theirs.pk]}
    )
    assert response.json() == {
        "results": [
            {"id": submitted.pk, "ok": True, "code": "", "message": "", "state": "pre_approved"},
            {
                "id": theirs.pk,
                "ok": False,
                "code": "not_found",
                "message": "所请求的对象不存在，或不在您的管辖范围内。",
                "state": None,
            },
        ]
    }
    empty = api_client.as_user(world.users["changde"]).post(
        "/registrations/bulk-pre-approve", {"ids": []}
    )
    assert empty.status_code == 400


def test_progress_by_code_name_and_former_name(world, api_client, cycle, collective):
    RegistrationFactory(cycle=cycle, collective=collective, state=S.APPROVED)
    FormerNameFactory(collective=collective, name="武陵区医院急救站")
    client = api_client.as_user(world.users["changde"])
    for q in ("wl0001", "人民医院", "急救站"):
        body = client.get("/progress", {"q": q}).json()
        assert body["count"] == 1, q
    result = body["results"][0]
    assert result == {
        "code": "wl0001",
        "name": "武陵区人民医院急诊科",
        "former_names": ["武陵区医院急救站"],
        "unit": world.wuling.pk,
        "unit_name": "武陵区团委",
        "registrations": [
            {
                "id": Registration.objects.get().pk,
                "cycle": cycle.pk,
                "cycle_name": cycle.name,
                "state": "approved",
            }
        ],
    }
    assert (
        api_client.as_user(world.users["guangdong"])
        .get("/progress", {"q": "wl0001"})
        .json()["count"]
        == 0
    )


def _count_queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params or {}).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(world, api_client, cycle):
    client = api_client.as_user(world.users["hunan"])
    registration = RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling), state=S.SUBMITTED
    )
    Transition.objects.create(
        registration=registration,
        actor=world.users["wuling"],
        from_state="draft",
        to_state="submitted",
    )
    one = _count_queries(client, "/registrations")
    for _ in range(15):
        other = RegistrationFactory(
            cycle=cycle, collective=CollectiveFactory(unit=world.changde), state=S.SUBMITTED
        )
        Transition.objects.create(
            registration=other,
            actor=world.users["changde"],
            from_state="draft",
            to_state="submitted",
        )
    assert _count_queries(client, "/registrations") == one
    assert client.get("/registrations").json()["count"] == 16


def test_progress_query_count_does_not_grow(world, api_client, cycle):
    client = api_client.as_user(world.users["hunan"])
    RegistrationFactory(cycle=cycle, collective=CollectiveFactory(unit=world.wuling))
    one = _count_queries(client, "/progress")
    for _ in range(15):
        collective = CollectiveFactory(unit=world.changde)
        FormerNameFactory(collective=collective)
        RegistrationFactory(cycle=cycle, collective=collective)
    assert _count_queries(client, "/progress") == one


def test_openapi_documents_the_registration_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/me/registrations/{cycle_id}",
        "/api/v1/me/registrations/{cycle_id}/submit",
        "/api/v1/registrations",
        "/api/v1/registrations/{registration_id}",
        "/api/v1/registrations/{registration_id}/pre-approve",
        "/api/v1/registrations/{registration_id}/approve",
        "/api/v1/registrations/{registration_id}/return",
        "/api/v1/registrations/{registration_id}/cancel",
        "/api/v1/progress",
    ):
        assert path in paths, path


def test_my_registrations_query_count_does_not_grow(world, api_client, collective):
    client = api_client.as_user(collective.user)
    RegistrationFactory(cycle=CycleFactory(unit=world.hunan), collective=collective)
    one = _count_queries(client, "/me/registrations")
    for _ in range(10):
        registration = RegistrationFactory(
            cycle=CycleFactory(unit=world.hunan), collective=collective
        )
        Transition.objects.create(
            registration=registration,
            actor=collective.user,
            from_state="draft",
            to_state="submitted",
        )
    assert _count_queries(client, "/me/registrations") == one


# Found by the API fuzzer (tests/security/test_fuzz_api.py): numbers beyond 64 bits reached the
# database (SQLite: OverflowError, a 500) and true/false passed as the ids 1/0.
@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("get", "/registrations", {"page": 2**70}),
        ("get", "/registrations", {"unit": 2**70}),
        ("get", "/registrations", {"cycle": -1}),
        ("get", "/me/registrations", {"page": 232610023370618688}),
        ("get", "/progress", {"page": 960832411244332910116864}),
        ("get", f"/registrations/{2**70}", {}),
        ("post", "/registrations/bulk-pre-approve", {"ids": [2**70]}),
        ("post", "/registrations/bulk-pre-approve", {"ids": [True]}),
        ("post", "/registrations/bulk-pre-approve", {"ids": ["1"]}),
        ("post", "/registrations/bulk-pre-approve", {"ids": [0]}),
    ],
)
def test_out_of_range_ids_and_pages_are_400(world, api_client, collective, method, path, params):
    client = api_client.as_user(
        collective.user if path.startswith("/me/") else world.users["hunan"]
    )
    response = client.get(path, params) if method == "get" else client.post(path, params)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")
