"""The collective's pages: 我的申请, the form with its live eligibility panel, the submission
with a confirmation, the timeline and the return reason."""

import pytest

from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration, Transition
from tests.registrations.factories import CycleFactory, RegistrationFactory, TransitionFactory

FORM = {
    "member_count": "20",
    "youth_count": "10",
    "leader_name": "张青",
    "leader_birth_date": "1990-05-04",
    "ownership": "PUBLIC",
    "industry": "卫生健康",
    "phone": "0736-1234567",
    "address": "常德市武陵区",
    "goals": "争创青年文明号",
    "measures": "青年突击队",
    "commitment": "群众满意",
    "titles-TOTAL_FORMS": "2",
    "titles-INITIAL_FORMS": "0",
    "titles-MIN_NUM_FORMS": "0",
    "titles-MAX_NUM_FORMS": "20",
    "titles-0-level": "CITY",
    "titles-0-year": "2024",
    "titles-0-name": "常德市青年文明号",
    "titles-1-level": "",
    "titles-1-year": "",
    "titles-1-name": "",
}


def test_my_applications_shows_open_cycles_and_registrations(world, login_as, cycle, collective):
    closed = CycleFactory(unit=world.hunan, name="2013—2014年度已截止届次")
    closed.registration_opens = closed.registration_closes = cycle.registration_opens.replace(
        year=2014
    )
    closed.save()
    CycleFactory(unit=world.guangdong, name="广东省届次")
    response = login_as(collective.user).get("/registrations/mine/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "2025—2026年度测试届次" in page
    assert f'href="/registrations/mine/{cycle.pk}/"' in page
    assert "2013—2014年度已截止届次" not in page
    assert "广东省届次" not in page
    assert "您还没有报备任何届次。" in page


def test_my_applications_lists_states_and_hides_registered_cycle_from_open(
    login_as, cycle, collective
):
    RegistrationFactory(cycle=cycle, collective=collective, state=S.RETURNED)
    page = login_as(collective.user).get("/registrations/mine/").content.decode()
    assert '<span class="badge bad">已退回</span>' in page
    assert "已退回：请查看原因，修改后重新提交。" in page
    assert "目前没有可报备的届次。" in page


def test_form_save_draft_stores_and_keeps_the_page(login_as, cycle, collective):
    client = login_as(collective.user)
    response = client.post(f"/registrations/mine/{cycle.pk}/", {**FORM, "action": "save"})
    assert (response.status_code, response["Location"]) == (302, f"/registrations/mine/{cycle.pk}/")
    stored = Registration.objects.get()
    assert (stored.state, stored.member_count, stored.youth_count, stored.ownership) == (
        S.DRAFT,
        20,
        10,
        "PUBLIC",
    )
    assert stored.prior_titles == [{"level": "CITY", "year": 2024, "name": "常德市青年文明号"}]
    page = client.get(f"/registrations/mine/{cycle.pk}/").content.decode()
    assert "草稿已保存。" in page
    assert 'value="张青"' in page
    assert 'value="1990-05-04"' in page


def test_form_keeps_what_was_typed_and_shows_the_error_next_to_the_field(
    login_as, cycle, collective
):
    bad = {**FORM, "youth_count": "30", "action": "save"}
    response = login_as(collective.user).post(f"/registrations/mine/{cycle.pk}/", bad)
    page = response.content.decode()
    assert response.status_code == 400
    assert '<small class="error">青年成员 30 人不能多于成员总数 20 人</small>' in page
    assert 'value="张青"' in page
    assert not Registration.objects.exists()


def test_form_submit_goes_to_confirmation_then_submits(login_as, cycle, collective):
    client = login_as(collective.user)
    response = client.post(f"/registrations/mine/{cycle.pk}/", {**FORM, "action": "submit"})
    assert response["Location"] == f"/registrations/mine/{cycle.pk}/submit/"
    confirm = client.get(response["Location"])
    assert confirm.status_code == 200
    assert "确认提交" in confirm.content.decode()
    assert Registration.objects.get().state == S.DRAFT
    done = client.post(f"/registrations/mine/{cycle.pk}/submit/")
    registration = Registration.objects.get()
    assert (done.status_code, done["Location"]) == (302, f"/registrations/{registration.pk}/")
    assert registration.state == S.SUBMITTED
    assert Transition.objects.get().to_state == S.SUBMITTED


def test_confirm_refuses_a_failed_rule_and_says_why(login_as, cycle, collective):
    RegistrationFactory(cycle=cycle, collective=collective, member_count=5, youth_count=3)
    response = login_as(collective.user).post(f"/registrations/mine/{cycle.pk}/submit/")
    page = response.content.decode()
    assert response.status_code == 409
    assert "不符合报备条件：成员 5 人，少于下限 6 人" in page
    assert Registration.objects.get().state == S.DRAFT


def test_eligibility_panel_reflects_typed_values(login_as, cycle, collective):
    client = login_as(collective.user)
    response = client.post(
        f"/registrations/mine/{cycle.pk}/eligibility/",
        {**FORM, "member_count": "5", "youth_count": "3"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<section id="eligibility"')
    assert "成员 5 人，少于下限 6 人" in page
    assert "35 周岁及以下成员 3 人，占成员 5 人的 60%，不低于 50%" in page
    assert not Registration.objects.exists()


def test_eligibility_panel_tolerates_half_typed_values(login_as, cycle, collective):
    response = login_as(collective.user).post(
        f"/registrations/mine/{cycle.pk}/eligibility/",
        {"member_count": "abc", "leader_birth_date": "1990-13-45"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写成员人数" in page
    assert "请填写号长出生日期" in page


def test_form_page_is_wired_for_htmx_without_inline_script(login_as, cycle, collective):
    page = login_as(collective.user).get(f"/registrations/mine/{cycle.pk}/").content.decode()
    assert f'hx-post="/registrations/mine/{cycle.pk}/eligibility/"' in page
    assert 'hx-trigger="change"' in page
    assert "<script>" not in page
    assert "style=" not in page


def test_submitted_registration_form_redirects_to_detail(login_as, cycle, collective):
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=S.SUBMITTED)
    response = login_as(collective.user).get(f"/registrations/mine/{cycle.pk}/")
    assert response["Location"] == f"/registrations/{registration.pk}/"


def test_detail_shows_return_reason_and_timeline_to_the_collective(
    world, login_as, cycle, collective
):
    registration = RegistrationFactory(
        cycle=cycle, collective=collective, state=S.RETURNED, return_reason="请补充花名册"
    )
    TransitionFactory(registration=registration, actor=collective.user)
    TransitionFactory(
        registration=registration,
        actor=world.users["changde"],
        from_state=S.SUBMITTED,
        to_state=S.RETURNED,
        reason="请补充花名册",
    )
    page = login_as(collective.user).get(f"/registrations/{registration.pk}/").content.decode()
    assert '<div class="errors return-reason" role="alert">' in page
    assert "请补充花名册" in page
    assert "报备集体（待审核） → <strong>已退回</strong>" in page
    assert "草稿 → <strong>报备集体（待审核）</strong>" in page
    assert f'href="/registrations/mine/{cycle.pk}/"' in page  # 修改并提交
    assert "/pre-approve/" not in page
    assert "/approve/" not in page


@pytest.mark.parametrize("persona", ["hunan", "guangdong", "judge"])
@pytest.mark.parametrize(
    "path",
    ["/registrations/mine/", "/registrations/mine/{cycle}/", "/registrations/mine/{cycle}/submit/"],
)
def test_collective_pages_are_not_for_others(world, login_as, cycle, persona, path):
    response = login_as(world.users[persona]).get(path.format(cycle=cycle.pk))
    assert response.status_code == 404


def test_eligibility_panel_not_for_admins(world, login_as, cycle):
    response = login_as(world.users["hunan"]).post(f"/registrations/mine/{cycle.pk}/eligibility/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/registrations/mine/{cycle}/",
        "/registrations/mine/{cycle}/submit/",
    ],
)
def test_collective_cannot_open_a_cycle_of_another_province(world, login_as, collective, path):
    foreign = CycleFactory(unit=world.guangdong)
    response = login_as(collective.user).get(path.format(cycle=foreign.pk))
    assert response.status_code == 404


def test_collective_cannot_see_another_collectives_registration(
    login_as, cycle, collective, other_collective
):
    theirs = RegistrationFactory(cycle=cycle, collective=other_collective)
    assert login_as(collective.user).get(f"/registrations/{theirs.pk}/").status_code == 404


def test_anonymous_is_sent_to_login(client, cycle):
    response = client.get("/registrations/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_my_applications_query_count_does_not_grow(
    world, login_as, collective, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as(collective.user)
    RegistrationFactory(cycle=CycleFactory(unit=world.hunan), collective=collective)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/registrations/mine/").status_code == 200
    for _ in range(12):
        RegistrationFactory(cycle=CycleFactory(unit=world.hunan), collective=collective)
    CycleFactory(unit=world.changde)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/registrations/mine/").content.decode()
    assert page.count('class="badge ') == 13
    assert len(many) == len(one)


def test_eligibility_panel_for_a_cycle_of_another_province_is_404(world, login_as, collective):
    foreign = CycleFactory(unit=world.guangdong)
    response = login_as(collective.user).post(f"/registrations/mine/{foreign.pk}/eligibility/", {})
    assert response.status_code == 404
