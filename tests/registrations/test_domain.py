"""Drafts and submission: who may save, what is stored, what a submission needs, and the
eligibility re-check at submit (../shared/API.md; seeds 004)."""

import datetime

import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from qnwmh.registrations import domain
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration, Transition
from tests.registrations.factories import (
    CycleFactory,
    RegistrationFactory,
    TitleFactory,
    valid_plan,
    valid_profile,
)


def test_save_draft_creates_one_registration_through_the_jurisdiction(world, cycle, collective):
    registration = domain.save_draft(collective.user, cycle, valid_profile(), valid_plan())
    stored = Registration.objects.get()
    assert (stored.pk, stored.state, stored.unit, stored.unit_path) == (
        registration.pk,
        S.DRAFT,
        world.wuling,
        world.wuling.path,
    )
    assert (stored.member_count, stored.youth_count, stored.phone, stored.goals) == (
        20,
        12,
        "0736-1234567",
        "争创青年文明号",
    )
    assert [r["passed"] for r in stored.eligibility] == [True] * 8
    assert Transition.objects.count() == 0


def test_save_draft_twice_updates_the_same_row_and_audits_the_change(cycle, collective):
    domain.save_draft(collective.user, cycle, valid_profile(), valid_plan())
    domain.save_draft(collective.user, cycle, valid_profile(member_count=30), valid_plan())
    assert Registration.objects.get().member_count == 30
    entries = AuditEntry.objects.filter(action="registration.save_draft").order_by("id")
    assert entries.count() == 2
    assert entries.last().changes == {"member_count": [20, 30]}
    assert entries.last().actor == collective.user


def test_save_draft_keeps_an_incomplete_draft(cycle, collective):
    registration = domain.save_draft(collective.user, cycle, {"member_count": 5}, {})
    results = {r["rule"]: r for r in registration.eligibility}
    assert results["member_count"] == {
        "rule": "member_count",
        "passed": False,
        "message": "成员 5 人，少于下限 6 人",
    }
    assert Registration.objects.get().leader_name == ""


@pytest.mark.parametrize(
    ("profile", "field", "message"),
    [
        (
            {"member_count": 10, "youth_count": 11},
            "youth_count",
            "青年成员 11 人不能多于成员总数 10 人",
        ),
        ({"member_count": -1}, "member_count", "请输入 0 至 100000 之间的整数"),
        (
            {"leader_birth_date": datetime.date(2999, 1, 1)},
            "leader_birth_date",
            "请填写真实的出生日期",
        ),
        ({"phone": "电话号码"}, "phone", "请填写电话号码，如 0736-1234567 或 13812345678"),
        ({"ownership": "STATE"}, "ownership", "请从允许的选项中选择。"),
        ({"prior_titles": [{"level": "CITY"}]}, "prior_titles", "第 1 项称号：请填写获得年份"),
        (
            {"prior_titles": [{"level": "X", "year": 2020}]},
            "prior_titles",
            "第 1 项称号：请选择级别",
        ),
        ({"leader_name": "张" * 51}, "leader_name", "最多 50 个字"),
    ],
)
def test_save_draft_refuses_bad_values_next_to_the_field(
    cycle, collective, profile, field, message
):
    with pytest.raises(InvalidInput) as refused:
        domain.save_draft(collective.user, cycle, profile, {})
    assert refused.value.fields == {field: [message]}
    assert not Registration.objects.exists()


@pytest.mark.parametrize("persona", ["hunan", "wuling", "judge"])
def test_save_draft_is_for_collectives_only(world, cycle, persona):
    with pytest.raises(Forbidden):
        domain.save_draft(world.users[persona], cycle, valid_profile(), valid_plan())


def test_save_draft_for_a_cycle_of_another_province_is_not_found(world, collective):
    guangdong_cycle = CycleFactory(unit=world.guangdong)
    with pytest.raises(NotFound):
        domain.save_draft(collective.user, guangdong_cycle, valid_profile(), valid_plan())


@pytest.mark.parametrize("state", [S.SUBMITTED, S.PRE_APPROVED, S.APPROVED, S.CANCELLED])
def test_save_draft_refused_once_submitted(cycle, collective, state):
    RegistrationFactory(cycle=cycle, collective=collective, state=state, member_count=20)
    with pytest.raises(Conflict) as refused:
        domain.save_draft(collective.user, cycle, valid_profile(member_count=99), valid_plan())
    assert refused.value.code == "invalid_state"
    assert Registration.objects.get().member_count == 20


def test_save_draft_allowed_when_returned(cycle, collective):
    RegistrationFactory(cycle=cycle, collective=collective, state=S.RETURNED)
    registration = domain.save_draft(collective.user, cycle, valid_profile(member_count=40), {})
    assert (registration.state, Registration.objects.get().member_count) == (S.RETURNED, 40)


def test_submit_refuses_a_failed_rule_with_the_whole_list(world, cycle, collective):
    registration = RegistrationFactory(
        cycle=cycle, collective=collective, member_count=201, youth_count=150
    )
    with pytest.raises(Conflict) as refused:
        domain.submit(collective.user, registration)
    error = refused.value
    assert (error.status, error.code) == (409, "not_eligible")
    assert error.message == "不符合报备条件：成员 201 人，多于上限 200 人"
    assert [r["rule"] for r in error.fields["eligibility"]] == [
        "prior_title",
        "registration_window",
        "one_per_cycle",
        "single_channel",
        "member_count",
        "youth_share",
        "leader_age",
        "data_qualified",
    ]
    assert [r["passed"] for r in error.fields["eligibility"]] == [True] * 4 + [False] + [True] * 3
    assert Registration.objects.get().state == S.DRAFT
    assert Transition.objects.count() == 0


def test_submit_checks_the_rules_again_not_the_stored_result(cycle, collective):
    registration = domain.save_draft(collective.user, cycle, valid_profile(), valid_plan())
    collective.data_ok = False
    collective.frozen_reasons = ["编码不规范"]
    collective.save()
    with pytest.raises(Conflict) as refused:
        domain.submit(collective.user, Registration.objects.get(pk=registration.pk))
    assert refused.value.message == (
        "不符合报备条件：集体数据不合格（已冻结）：编码不规范。请联系归口单位补全"
    )


def test_submit_needs_the_plan_and_contacts(cycle, collective):
    registration = RegistrationFactory(cycle=cycle, collective=collective, goals="", phone="")
    with pytest.raises(InvalidInput) as refused:
        domain.submit(collective.user, registration)
    assert (refused.value.code, refused.value.fields) == (
        "incomplete",
        {"phone": ["提交前必须填写"], "goals": ["提交前必须填写"]},
    )


def test_submit_outside_the_window_is_refused(world, collective):
    today = datetime.date.today()
    closed = CycleFactory(
        unit=world.hunan,
        registration_opens=today - datetime.timedelta(days=60),
        registration_closes=today - datetime.timedelta(days=30),
    )
    registration = RegistrationFactory(cycle=closed, collective=collective)
    with pytest.raises(Conflict) as refused:
        domain.submit(collective.user, registration)
    failed = [r["rule"] for r in refused.value.fields["eligibility"] if not r["passed"]]
    assert failed == ["registration_window"]


def test_prior_title_on_record_qualifies(world, collective):
    national = CycleFactory(unit=world.hunan, prior_title_levels=["NATIONAL", "PROVINCIAL"])
    registration = RegistrationFactory(cycle=national, collective=collective)
    with pytest.raises(Conflict):
        domain.submit(collective.user, registration)
    TitleFactory(collective=collective, level="PROVINCIAL", year=2022, name="湖南省青年文明号")
    assert domain.submit(collective.user, registration).state == S.SUBMITTED
    prior = Registration.objects.get().eligibility[0]
    assert prior == {
        "rule": "prior_title",
        "passed": True,
        "message": "已获湖南省青年文明号（省级，2022 年）",
    }


def test_submit_keeps_the_first_submission_time(world, submitted, collective):
    first = datetime.datetime(2025, 5, 1, 2, 0, tzinfo=datetime.UTC)
    Registration.objects.filter(pk=submitted.pk).update(submitted_at=first)
    registration = Registration.objects.get(pk=submitted.pk)
    domain.return_registration(world.users["hunan"], registration, "补充材料")
    domain.submit(collective.user, registration)
    assert Registration.objects.get().submitted_at == first


def test_one_per_cycle_a_cancelled_registration_blocks_a_new_one(cycle, collective):
    RegistrationFactory(cycle=cycle, collective=collective, state=S.CANCELLED)
    with pytest.raises(Conflict):
        domain.save_draft(collective.user, cycle, valid_profile(), valid_plan())
    assert Registration.objects.count() == 1


def test_single_channel_same_name_registered_elsewhere_refuses(world, cycle, collective):
    from tests.registrations.factories import CollectiveFactory, FormerNameFactory

    twin = CollectiveFactory(unit=world.changde, name="急诊科（旧）")
    FormerNameFactory(collective=twin, name=collective.name)
    RegistrationFactory(cycle=cycle, collective=twin, state=S.SUBMITTED)
    registration = RegistrationFactory(cycle=cycle, collective=collective)
    with pytest.raises(Conflict) as refused:
        domain.submit(collective.user, registration)
    failed = [r for r in refused.value.fields["eligibility"] if not r["passed"]]
    assert failed == [
        {
            "rule": "single_channel",
            "passed": False,
            "message": "本届次已有同名（或曾用名相同）的集体报备：急诊科（旧）",
        }
    ]


def test_draft_follows_the_collective_to_its_new_jurisdiction(world, cycle, collective):
    registration = RegistrationFactory(cycle=cycle, collective=collective)
    collective.unit, collective.unit_path = world.changde, world.changde.path
    collective.save()
    channel = domain.submit  # the stale unit is refused until the draft is saved again
    with pytest.raises(Conflict):
        channel(collective.user, registration)
    domain.save_draft(collective.user, cycle, valid_profile(), valid_plan())
    stored = Registration.objects.get()
    assert (stored.unit, stored.unit_path) == (world.changde, world.changde.path)
    assert domain.submit(collective.user, stored).state == S.SUBMITTED


def test_bulk_pre_approve_gives_a_result_per_item(world, cycle, collective, other_collective):
    ready = RegistrationFactory(cycle=cycle, collective=collective, state=S.SUBMITTED)
    draft = RegistrationFactory(cycle=cycle, collective=other_collective, state=S.DRAFT)
    from tests.registrations.factories import CollectiveFactory

    far = RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.guangzhou), state=S.SUBMITTED
    )
    results = domain.bulk_pre_approve(
        world.users["changde"], [ready.pk, draft.pk, far.pk, ready.pk]
    )
    assert [(r.id, r.ok, r.code) for r in results] == [
        (ready.pk, True, ""),
        (draft.pk, False, "invalid_state"),
        (far.pk, False, "not_found"),
    ]
    assert Registration.objects.get(pk=ready.pk).state == S.PRE_APPROVED
    assert Registration.objects.get(pk=far.pk).state == S.SUBMITTED
    assert Transition.objects.count() == 1


def test_bulk_pre_approve_refuses_an_empty_choice(world):
    with pytest.raises(InvalidInput):
        domain.bulk_pre_approve(world.users["changde"], [])
