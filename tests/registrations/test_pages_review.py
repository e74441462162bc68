"""The reviewers' pages: queue with filters and its default, the detail with only the allowed
buttons, decisions, bulk pre-approval with a confirmation, 进度查询 — scoped to the subtree."""

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

# --- queue ------------------------------------------------------------------------------------


def test_queue_default_is_awaiting_my_action_by_tier(world, login_as, cycle):
    for state in (S.DRAFT, S.SUBMITTED, S.PRE_APPROVED, S.APPROVED, S.RETURNED):
        RegistrationFactory(
            cycle=cycle,
            collective=CollectiveFactory(unit=world.wuling, name=f"集体-{state}"),
            state=state,
        )
    county = login_as(world.users["wuling"]).get("/registrations/queue/").content.decode()
    assert ("集体-submitted" in county, "集体-pre_approved" in county) == (True, False)
    province = login_as(world.users["hunan"]).get("/registrations/queue/").content.decode()
    assert ("集体-submitted" in province, "集体-pre_approved" in province) == (True, True)
    assert "集体-draft" not in province and "集体-approved" not in province
    cycle.approval_delegated = True
    cycle.save()
    delegated = login_as(world.users["wuling"]).get("/registrations/queue/").content.decode()
    assert ("集体-submitted" in delegated, "集体-pre_approved" in delegated) == (True, True)


def test_queue_filters_by_state_unit_cycle_and_q(world, login_as, cycle):
    other_cycle = CycleFactory(unit=world.hunan, name="另一届次")
    RegistrationFactory(
        cycle=cycle,
        collective=CollectiveFactory(unit=world.wuling, name="甲急诊科"),
        state=S.APPROVED,
    )
    RegistrationFactory(
        cycle=other_cycle,
        collective=CollectiveFactory(unit=world.changde, name="乙车间", code="cd0099"),
        state=S.APPROVED,
    )
    client = login_as(world.users["hunan"])
    page = client.get("/registrations/queue/", {"state": "approved"}).content.decode()
    assert ("甲急诊科" in page, "乙车间" in page) == (True, True)
    page = client.get(
        "/registrations/queue/", {"state": "", "unit": world.wuling.pk}
    ).content.decode()
    assert ("甲急诊科" in page, "乙车间" in page) == (True, False)
    page = client.get(
        "/registrations/queue/", {"state": "", "cycle": other_cycle.pk}
    ).content.decode()
    assert ("甲急诊科" in page, "乙车间" in page) == (False, True)
    page = client.get("/registrations/queue/", {"state": "", "q": "CD0099"}).content.decode()
    assert ("甲急诊科" in page, "乙车间" in page) == (False, True)


def test_queue_never_shows_another_province(world, login_as, cycle, guangdong_collective):
    RegistrationFactory(cycle=cycle, collective=guangdong_collective, state=S.SUBMITTED)
    page = login_as(world.users["hunan"]).get("/registrations/queue/").content.decode()
    assert "广州地铁三号线乘务中心" not in page
    guangdong = login_as(world.users["guangdong"]).get("/registrations/queue/").content.decode()
    assert "广州地铁三号线乘务中心" in guangdong


@pytest.mark.parametrize("param", ["unit", "cycle"])
def test_queue_filter_outside_subtree_is_404(world, login_as, param):
    foreign = {"unit": world.guangzhou.pk, "cycle": CycleFactory(unit=world.guangdong).pk}[param]
    response = login_as(world.users["hunan"]).get("/registrations/queue/", {param: foreign})
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["judge", "collective"])
def test_review_pages_not_for_collectives_or_judges(world, login_as, collective, persona):
    user = collective.user if persona == "collective" else world.users["judge"]
    client = login_as(user)
    for path in ("/registrations/queue/", "/registrations/progress/", "/registrations/export/"):
        assert client.get(path).status_code == 404
    assert client.post("/registrations/bulk-pre-approve/", {"ids": ["1"]}).status_code == 404


def test_queue_query_count_does_not_grow(world, login_as, cycle):
    client = login_as(world.users["hunan"])
    RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling), state=S.SUBMITTED
    )
    with CaptureQueriesContext(connection) as one:
        first = client.get("/registrations/queue/").content.decode()
    for unit in [world.wuling, world.changde] * 8:
        RegistrationFactory(
            cycle=CycleFactory(unit=world.hunan),
            collective=CollectiveFactory(unit=unit),
            state=S.SUBMITTED,
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get("/registrations/queue/").content.decode()
    assert (first.count("badge warn"), page.count("badge warn")) == (1, 17)
    assert len(many) == len(one)


# --- detail and decisions --------------------------------------------------------------------


def test_detail_shows_only_the_buttons_the_admin_may_use(world, login_as, submitted):
    county = login_as(world.users["wuling"]).get(f"/registrations/{submitted.pk}/").content.decode()
    assert "/pre-approve/" in county and "/return/" in county
    assert "/approve/" not in county and "/cancel/" not in county
    province = (
        login_as(world.users["hunan"]).get(f"/registrations/{submitted.pk}/").content.decode()
    )
    assert "/pre-approve/" not in province
    assert "/approve/" in province and "/return/" in province and "/cancel/" in province


@pytest.mark.parametrize("persona", ["guangdong", "judge", "transport", "guangzhou"])
def test_detail_and_actions_outside_subtree_are_404(world, login_as, submitted, persona):
    client = login_as(world.users[persona])
    assert client.get(f"/registrations/{submitted.pk}/").status_code == 404
    for slug in ("pre-approve", "approve", "return", "cancel"):
        response = client.post(f"/registrations/{submitted.pk}/{slug}/", {f"{slug}-reason": "x"})
        assert response.status_code == 404
    assert Registration.objects.get(pk=submitted.pk).state == S.SUBMITTED


def test_pre_approve_then_approve_from_the_page(world, login_as, submitted):
    response = login_as(world.users["wuling"]).post(f"/registrations/{submitted.pk}/pre-approve/")
    assert response["Location"] == f"/registrations/{submitted.pk}/"
    client = login_as(world.users["hunan"])
    client.post(f"/registrations/{submitted.pk}/approve/")
    page = client.get(f"/registrations/{submitted.pk}/").content.decode()
    assert "已审核通过，成为创建集体。" in page
    assert Registration.objects.get().state == S.APPROVED
    assert list(Transition.objects.values_list("to_state", flat=True)) == [
        "pre_approved",
        "approved",
    ]


def test_return_without_reason_keeps_the_form_with_the_error(world, login_as, submitted):
    response = login_as(world.users["changde"]).post(
        f"/registrations/{submitted.pk}/return/", {"return-reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<details open>" in page
    assert '<small class="error">' in page
    assert Registration.objects.get().state == S.SUBMITTED


def test_return_with_reason_from_the_page(world, login_as, submitted):
    login_as(world.users["changde"]).post(
        f"/registrations/{submitted.pk}/return/", {"return-reason": "请补充花名册"}
    )
    stored = Registration.objects.get()
    assert (stored.state, stored.return_reason) == (S.RETURNED, "请补充花名册")
    assert AuditEntry.objects.filter(action="registration.return").count() == 1


def test_refused_decision_says_why(world, login_as, submitted):
    client = login_as(world.users["wuling"])
    client.post(f"/registrations/{submitted.pk}/approve/")
    page = client.get(f"/registrations/{submitted.pk}/").content.decode()
    assert "您没有执行此操作的权限。" in page
    assert Registration.objects.get().state == S.SUBMITTED


def test_unknown_action_is_404(world, login_as, submitted):
    response = login_as(world.users["hunan"]).post(f"/registrations/{submitted.pk}/publish/")
    assert response.status_code == 404


# --- bulk pre-approval ---------------------------------------------------------------------


def test_bulk_pre_approve_confirms_then_reports_per_item(world, login_as, cycle):
    ready = RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling, name="甲"), state=S.SUBMITTED
    )
    draft = RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling, name="乙"), state=S.DRAFT
    )
    client = login_as(world.users["changde"])
    confirm = client.post("/registrations/bulk-pre-approve/", {"ids": [ready.pk, draft.pk]})
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert page.count('name="ids"') == 1  # only the one that can pass
    assert "不能初审，跳过" in page
    assert Registration.objects.get(pk=ready.pk).state == S.SUBMITTED  # nothing done yet
    done = client.post(
        "/registrations/bulk-pre-approve/", {"ids": [ready.pk, draft.pk], "confirm": "yes"}
    )
    assert "初审通过 1 条，未处理 1 条。" in done.content.decode()
    assert Registration.objects.get(pk=ready.pk).state == S.PRE_APPROVED
    assert Registration.objects.get(pk=draft.pk).state == S.DRAFT


def test_bulk_pre_approve_cannot_reach_another_province(
    world, login_as, cycle, guangdong_collective
):
    theirs = RegistrationFactory(cycle=cycle, collective=guangdong_collective, state=S.SUBMITTED)
    client = login_as(world.users["changde"])
    confirm = client.post("/registrations/bulk-pre-approve/", {"ids": [theirs.pk]})
    assert "广州地铁三号线乘务中心" not in confirm.content.decode()
    done = client.post("/registrations/bulk-pre-approve/", {"ids": [theirs.pk], "confirm": "yes"})
    assert "广州地铁三号线乘务中心" not in done.content.decode()
    assert Registration.objects.get(pk=theirs.pk).state == S.SUBMITTED


def test_bulk_pre_approve_without_choice_goes_back(world, login_as):
    response = login_as(world.users["changde"]).post("/registrations/bulk-pre-approve/", {})
    assert response["Location"] == "/registrations/queue/"


# --- 进度查询 ------------------------------------------------------------------------------------


def test_progress_finds_by_code_name_and_former_name(world, login_as, cycle, collective):
    RegistrationFactory(cycle=cycle, collective=collective, state=S.PRE_APPROVED)
    FormerNameFactory(collective=collective, name="武陵区医院急救站")
    client = login_as(world.users["changde"])
    for q in ("wl0001", "人民医院", "急救站"):
        page = client.get("/registrations/progress/", {"q": q}).content.decode()
        assert "武陵区人民医院急诊科" in page, q
        assert '<span class="badge warn">初审通过</span>' in page
    page = client.get("/registrations/progress/", {"q": "不存在"}).content.decode()
    assert "您的管辖范围内没有符合条件的集体。" in page


def test_progress_never_reaches_another_province(world, login_as, collective, guangdong_collective):
    page = (
        login_as(world.users["guangdong"])
        .get("/registrations/progress/", {"q": "武陵区人民医院"})
        .content.decode()
    )
    assert "武陵区人民医院急诊科" not in page
    page = login_as(world.users["wuling"]).get("/registrations/progress/").content.decode()
    assert ("武陵区人民医院急诊科" in page, "广州地铁三号线乘务中心" in page) == (True, False)


def test_progress_query_count_does_not_grow(world, login_as, cycle):
    client = login_as(world.users["hunan"])
    first = CollectiveFactory(unit=world.wuling, name="进度集体0")
    RegistrationFactory(cycle=cycle, collective=first)
    with CaptureQueriesContext(connection) as one:
        client.get("/registrations/progress/", {"q": "进度集体"})
    for number in range(1, 15):
        collective = CollectiveFactory(unit=world.changde, name=f"进度集体{number}")
        FormerNameFactory(collective=collective)
        RegistrationFactory(cycle=cycle, collective=collective)
        RegistrationFactory(cycle=CycleFactory(unit=world.hunan), collective=collective)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/registrations/progress/", {"q": "进度集体"}).content.decode()
    assert page.count('<span class="badge ">草稿</span>') == 29
    assert len(many) == len(one)


def test_bulk_confirm_query_count_does_not_grow(world, login_as, cycle):
    client = login_as(world.users["changde"])

    def chosen(count):
        return [
            RegistrationFactory(
                cycle=cycle, collective=CollectiveFactory(unit=world.wuling), state=S.SUBMITTED
            ).pk
            for _ in range(count)
        ]

    ids = chosen(1)
    with CaptureQueriesContext(connection) as one:
        client.post("/registrations/bulk-pre-approve/", {"ids": ids})
    ids = chosen(12)
    with CaptureQueriesContext(connection) as many:
        page = client.post("/registrations/bulk-pre-approve/", {"ids": ids}).content.decode()
    assert page.count('name="ids"') == 12
    assert len(many) == len(one)
