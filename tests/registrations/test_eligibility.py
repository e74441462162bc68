"""Each eligibility rule at its boundaries (seeds 004 附件1; 001; 000), the pure function first,
then the facts the database contributes."""

import datetime
from types import SimpleNamespace

import pytest

from qnwmh.registrations import eligibility
from qnwmh.registrations.eligibility import Facts, evaluate, full_years
from qnwmh.registrations.enums import RegistrationState
from tests.registrations.factories import (
    CollectiveFactory,
    CycleFactory,
    FormerNameFactory,
    RegistrationFactory,
    TitleFactory,
)

TODAY = datetime.date(2025, 6, 15)
ORDER = [
    "prior_title",
    "registration_window",
    "one_per_cycle",
    "single_channel",
    "member_count",
    "youth_share",
    "leader_age",
    "data_qualified",
]


def make_cycle(**overrides):
    values = {
        "registration_opens": datetime.date(2025, 3, 1),
        "registration_closes": datetime.date(2025, 9, 30),
        "min_members": 6,
        "max_members": 200,
        "youth_max_age": 35,
        "min_youth_percent": 50,
        "leader_max_age": 40,
        "prior_title_levels": [],
        "prior_title_min_year": None,
    }
    return SimpleNamespace(**{**values, **overrides})


def make_collective(**overrides):
    return SimpleNamespace(**{"unit_id": 3, "data_ok": True, "frozen_reasons": [], **overrides})


FACTS = Facts(
    unit_id=3,
    unit_path="000000010000000200000003",
    unit_name="武陵区团委",
    jurisdiction_name="武陵区团委",
    organiser_path="0000000100000002",
    organiser_name="湖南省团委",
)


def profile(**overrides):
    return {
        "member_count": 20,
        "youth_count": 12,
        "leader_birth_date": datetime.date(1990, 1, 1),
        "prior_titles": [],
        **overrides,
    }


def result(rule, *, cycle=None, collective=None, facts=FACTS, today=TODAY, **profile_values):
    results = evaluate(
        cycle or make_cycle(),
        collective or make_collective(),
        profile(**profile_values),
        facts,
        today,
    )
    return next(r for r in results if r["rule"] == rule)


def test_evaluate_lists_every_rule_in_order_all_passing():
    results = evaluate(make_cycle(), make_collective(), profile(), FACTS, TODAY)
    assert [r["rule"] for r in results] == ORDER
    assert [r["passed"] for r in results] == [True] * 8


@pytest.mark.parametrize(
    ("members", "passed", "message"),
    [
        (5, False, "成员 5 人，少于下限 6 人"),
        (6, True, "成员 6 人，在 6—200 人范围内"),
        (200, True, "成员 200 人，在 6—200 人范围内"),
        (201, False, "成员 201 人，多于上限 200 人"),
        (None, False, "请填写成员人数"),
    ],
)
def test_member_count_at_its_bounds(members, passed, message):
    assert result("member_count", member_count=members, youth_count=5) == {
        "rule": "member_count",
        "passed": passed,
        "message": message,
    }


def test_member_count_bounds_are_cycle_settings():
    cycle = make_cycle(min_members=10, max_members=50)
    assert result("member_count", cycle=cycle, member_count=9)["passed"] is False
    assert result("member_count", cycle=cycle, member_count=10)["passed"] is True
    assert (
        result("member_count", cycle=cycle, member_count=51)["message"]
        == "成员 51 人，多于上限 50 人"
    )


@pytest.mark.parametrize(
    ("youth", "members", "passed", "message"),
    [
        (10, 20, True, "35 周岁及以下成员 10 人，占成员 20 人的 50%，不低于 50%"),
        (9, 20, False, "35 周岁及以下成员 9 人，占成员 20 人的 45%，低于 50%"),
        (100, 201, False, "35 周岁及以下成员 100 人，占成员 201 人的 49.7%，低于 50%"),
        (101, 201, True, "35 周岁及以下成员 101 人，占成员 201 人的 50.2%，不低于 50%"),
        (3, 6, True, "35 周岁及以下成员 3 人，占成员 6 人的 50%，不低于 50%"),
        (21, 20, False, "35 周岁及以下成员 21 人，多于成员总数 20 人"),
        (None, 20, False, "请填写成员人数和 35 周岁及以下成员人数"),
    ],
)
def test_youth_share_exactly_half_passes(youth, members, passed, message):
    assert result("youth_share", youth_count=youth, member_count=members) == {
        "rule": "youth_share",
        "passed": passed,
        "message": message,
    }


def test_youth_share_uses_exact_integers_not_floats():
    # 1/3 of 3 is 33.33…%: at a 33 % minimum it passes, at 34 % it fails; no float rounding.
    assert result(
        "youth_share", cycle=make_cycle(min_youth_percent=33), youth_count=1, member_count=3
    )["passed"]
    assert not result(
        "youth_share", cycle=make_cycle(min_youth_percent=34), youth_count=1, member_count=3
    )["passed"]


@pytest.mark.parametrize(
    ("born", "passed", "message"),
    [
        # 40 the day before the 41st birthday, and on the 40th birthday itself.
        (datetime.date(1984, 6, 16), True, "号长 2025-06-15 时 40 周岁，未超过 40 周岁"),
        (datetime.date(1985, 6, 15), True, "号长 2025-06-15 时 40 周岁，未超过 40 周岁"),
        # The day of the 41st birthday fails.
        (datetime.date(1984, 6, 15), False, "号长 2025-06-15 时 41 周岁，超过 40 周岁"),
        (None, False, "请填写号长出生日期"),
    ],
)
def test_leader_age_exactly_40_passes_41st_birthday_fails(born, passed, message):
    assert result("leader_age", leader_birth_date=born) == {
        "rule": "leader_age",
        "passed": passed,
        "message": message,
    }


def test_leader_born_29_february_turns_41_on_1_march_in_a_common_year():
    born = datetime.date(1984, 2, 29)
    assert full_years(born, datetime.date(2025, 2, 28)) == 40
    assert full_years(born, datetime.date(2025, 3, 1)) == 41
    assert full_years(born, datetime.date(2024, 2, 28)) == 39
    assert full_years(born, datetime.date(2024, 2, 29)) == 40
    assert result("leader_age", leader_birth_date=born, today=datetime.date(2025, 2, 28))["passed"]
    assert not result("leader_age", leader_birth_date=born, today=datetime.date(2025, 3, 1))[
        "passed"
    ]


@pytest.mark.parametrize(
    ("today", "passed", "message"),
    [
        (datetime.date(2025, 2, 28), False, "报备将于 2025-03-01 开始，今天是 2025-02-28"),
        (datetime.date(2025, 3, 1), True, "在报备时间 2025-03-01 至 2025-09-30 内"),
        (datetime.date(2025, 9, 30), True, "在报备时间 2025-03-01 至 2025-09-30 内"),
        (datetime.date(2025, 10, 1), False, "报备已于 2025-09-30 截止，今天是 2025-10-01"),
    ],
)
def test_registration_window_first_and_last_day_inclusive(today, passed, message):
    assert result("registration_window", today=today) == {
        "rule": "registration_window",
        "passed": passed,
        "message": message,
    }


def test_registration_window_resubmission_after_close_counts_first_submission():
    facts = Facts(**{**FACTS.__dict__, "first_submitted_on": datetime.date(2025, 9, 30)})
    late = datetime.date(2025, 10, 8)
    assert result("registration_window", facts=facts, today=late) == {
        "rule": "registration_window",
        "passed": True,
        "message": "首次提交于 2025-09-30，在报备时间内",
    }
    early = Facts(**{**FACTS.__dict__, "first_submitted_on": datetime.date(2025, 10, 1)})
    assert not result("registration_window", facts=early, today=late)["passed"]


def test_registration_window_uses_beijing_date(monkeypatch):
    # 2025-02-28 17:00 UTC is already 2025-03-01 01:00 in Beijing: the window is open there.
    from django.utils import timezone

    instant = datetime.datetime(2025, 2, 28, 17, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    assert eligibility.today_in_shanghai() == datetime.date(2025, 3, 1)


def test_prior_title_not_required_passes():
    assert result("prior_title") == {
        "rule": "prior_title",
        "passed": True,
        "message": "本届次不要求已获称号",
    }


@pytest.mark.parametrize(
    ("titles", "declared", "passed"),
    [
        ([], [], False),
        ([{"level": "CITY", "year": 2024, "name": "常德市青年文明号"}], [], False),
        ([{"level": "PROVINCIAL", "year": 2022, "name": "湖南省青年文明号"}], [], False),
        ([{"level": "PROVINCIAL", "year": 2023, "name": "湖南省青年文明号"}], [], True),
        ([], [{"level": "NATIONAL", "year": 2024, "name": "全国青年文明号"}], True),
        ([], [{"level": "NATIONAL", "year": 2020, "name": "全国青年文明号"}], False),
    ],
)
def test_prior_title_level_and_year(titles, declared, passed):
    cycle = make_cycle(prior_title_levels=["NATIONAL", "PROVINCIAL"], prior_title_min_year=2023)
    facts = Facts(**{**FACTS.__dict__, "titles": tuple(titles)})
    outcome = result("prior_title", cycle=cycle, facts=facts, prior_titles=declared)
    assert outcome["passed"] is passed
    if not passed:
        assert (
            outcome["message"]
            == "需要以下级别之一的已获称号：全国、省级（2023 年及以后获得），未找到"
        )


def test_prior_title_passing_message_names_the_title():
    cycle = make_cycle(prior_title_levels=["PROVINCIAL"])
    facts = Facts(
        **{
            **FACTS.__dict__,
            "titles": ({"level": "PROVINCIAL", "year": 2024, "name": "湖南省青年文明号"},),
        }
    )
    assert (
        result("prior_title", cycle=cycle, facts=facts)["message"]
        == "已获湖南省青年文明号（省级，2024 年）"
    )


def test_one_per_cycle_fails_with_another_registration():
    facts = Facts(**{**FACTS.__dict__, "has_other_registration": True})
    assert result("one_per_cycle", facts=facts) == {
        "rule": "one_per_cycle",
        "passed": False,
        "message": "该集体本届次已有报备（一届次一申报）",
    }


def test_single_channel_refuses_another_unit_outside_subtree_and_same_name():
    other_unit = Facts(**{**FACTS.__dict__, "unit_id": 9, "unit_name": "鼎城区团委"})
    assert result("single_channel", facts=other_unit)["message"] == (
        "正通过鼎城区团委报备，但该集体的归口单位是武陵区团委"
    )
    outside = Facts(**{**FACTS.__dict__, "organiser_path": "00000005"})
    assert result("single_channel", facts=outside)["message"] == (
        "武陵区团委不在本届次组织单位湖南省团委的管辖范围内"
    )
    same_name = Facts(**{**FACTS.__dict__, "same_name_registered": ("武陵医院急诊科",)})
    assert result("single_channel", facts=same_name)["message"] == (
        "本届次已有同名（或曾用名相同）的集体报备：武陵医院急诊科"
    )
    assert result("single_channel")["passed"] is True


def test_data_qualified_fails_for_a_frozen_collective():
    frozen = make_collective(data_ok=False, frozen_reasons=["缺少归口单位"])
    assert result("data_qualified", collective=frozen) == {
        "rule": "data_qualified",
        "passed": False,
        "message": "集体数据不合格（已冻结）：缺少归口单位。请联系归口单位补全",
    }


# --- the facts the database contributes ---------------------------------------------------


def test_gather_facts_counts_unrevoked_titles_only(cycle, collective):
    from django.utils import timezone

    TitleFactory(collective=collective, level="PROVINCIAL", year=2024, revoked_at=timezone.now())
    TitleFactory(collective=collective, level="CITY", year=2023)
    facts = eligibility.gather_facts(cycle, collective)
    assert facts.titles == ({"level": "CITY", "year": 2023, "name": "常德市青年文明号"},)


def test_gather_facts_one_per_cycle_ignores_itself(cycle, collective):
    registration = RegistrationFactory(cycle=cycle, collective=collective)
    assert eligibility.gather_facts(cycle, collective, registration).has_other_registration is False
    assert eligibility.gather_facts(cycle, collective).has_other_registration is True


def test_gather_facts_same_name_or_former_name_registered(world, cycle, collective):
    rival = CollectiveFactory(unit=world.changde, name="武陵医院急诊科")
    FormerNameFactory(collective=rival, name=collective.name)
    RegistrationFactory(cycle=cycle, collective=rival, state=RegistrationState.SUBMITTED)
    assert eligibility.gather_facts(cycle, collective).same_name_registered == ("武陵医院急诊科",)


def test_gather_facts_our_former_name_is_their_name(world, cycle, collective):
    rival = CollectiveFactory(unit=world.changde, name="老急诊科")
    FormerNameFactory(collective=collective, name="老急诊科")
    RegistrationFactory(cycle=cycle, collective=rival, state=RegistrationState.APPROVED)
    assert eligibility.gather_facts(cycle, collective).same_name_registered == ("老急诊科",)


@pytest.mark.parametrize("state", [RegistrationState.DRAFT, RegistrationState.CANCELLED])
def test_gather_facts_drafts_and_cancelled_do_not_claim_a_name(world, cycle, collective, state):
    rival = CollectiveFactory(unit=world.changde, name="老急诊科")
    FormerNameFactory(collective=collective, name="老急诊科")
    RegistrationFactory(cycle=cycle, collective=rival, state=state)
    assert eligibility.gather_facts(cycle, collective).same_name_registered == ()


def test_gather_facts_a_shared_former_name_counts(world, cycle, collective):
    rival = CollectiveFactory(unit=world.changde, name="急诊中心")
    FormerNameFactory(collective=rival, name="老急诊科")
    FormerNameFactory(collective=collective, name="老急诊科")
    RegistrationFactory(cycle=cycle, collective=rival, state=RegistrationState.SUBMITTED)
    assert eligibility.gather_facts(cycle, collective).same_name_registered == ("急诊中心",)


def test_same_name_check_reads_no_registration_without_a_namesake(world, cycle, collective):
    from tests.conftest import count_queries

    for i in range(5):
        RegistrationFactory(
            cycle=cycle,
            collective=CollectiveFactory(unit=world.changde, name=f"别的集体{i}"),
            state=RegistrationState.SUBMITTED,
        )
    registration = RegistrationFactory(cycle=cycle, collective=collective)
    # Former names, their collectives by key, titles: the cycle's registrations are not read.
    assert count_queries(lambda: eligibility.gather_facts(cycle, collective, registration)) == 3


def test_gather_facts_other_cycle_does_not_count(world, cycle, collective):
    other = CycleFactory(unit=world.hunan)
    RegistrationFactory(cycle=other, collective=collective, state=RegistrationState.APPROVED)
    assert eligibility.gather_facts(cycle, collective).has_other_registration is False


def test_assess_registration_outside_organiser_subtree_fails(world, collective):
    guangdong_cycle = CycleFactory(unit=world.guangdong)
    results = eligibility.assess(guangdong_cycle, collective, {"prior_titles": []})
    channel = next(r for r in results if r["rule"] == "single_channel")
    assert channel == {
        "rule": "single_channel",
        "passed": False,
        "message": "武陵区团委不在本届次组织单位广东省团委的管辖范围内",
    }
