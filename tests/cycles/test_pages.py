import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.audit.models import AuditEntry
from qnwmh.cycles.models import Cycle
from tests.cycles.factories import CycleFactory, QuotaFactory

pytestmark = pytest.mark.django_db


def _form(unit, **changes):
    data = {
        "name": "2025—2026年度湖南省青年文明号",
        "level": "PROVINCIAL",
        "unit": str(unit.pk),
        "previous": "",
        "registration_opens": "2025-11-01",
        "registration_closes": "2026-12-31",
        "evaluation_quota_multiplier": "10",
        "min_members": "6",
        "max_members": "200",
        "youth_max_age": "35",
        "min_youth_percent": "50",
        "leader_max_age": "40",
        "prior_title_levels": ["NATIONAL", "PROVINCIAL"],
        "prior_title_min_year": "",
    }
    data.update(changes)
    return data


def test_cycle_list_shows_visible_cycles(world, login_as):
    CycleFactory(unit=world.hunan, name="湖南届次")
    CycleFactory(unit=world.guangdong, name="广东届次")

    response = login_as(world.users["changde"]).get("/cycles/")

    assert response.status_code == 200
    assert [c.name for c in response.context["page"].items] == ["湖南届次"]
    assert "广东届次" not in response.text
    assert "新建届次" in response.text  # a city organises its city cycles


def test_cycle_list_offers_creation_to_tier_one(world, login_as):
    response = login_as(world.users["hunan"]).get("/cycles/")

    assert '<a class="button" href="/cycles/new/">新建届次</a>' in response.text


def test_cycle_list_in_navigation_for_admins(world, login_as):
    response = login_as(world.users["wuling"]).get("/")

    assert '<a href="/cycles/">届次</a>' in response.text


def test_cycle_list_not_for_judges(world, login_as):
    response = login_as(world.users["judge"]).get("/cycles/")

    assert response.status_code == 404


def test_cycle_list_anonymous_redirected_to_login(world, client):
    response = client.get("/cycles/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_cycle_list_query_count_constant(world, login_as):
    client = login_as(world.users["hunan"])
    first = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=first, unit=world.changde)
    client.get("/cycles/")
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/cycles/").context["page"].items) == 1
    for _ in range(15):
        cycle = CycleFactory(unit=world.changde, previous=first)
        QuotaFactory(cycle=cycle, unit=world.wuling)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/cycles/").context["page"].items) == 16

    assert len(many) == len(one)


def test_cycle_create_page_prefilled_with_defaults(world, login_as):
    response = login_as(world.users["hunan"]).get("/cycles/new/?level=PROVINCIAL")

    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial["prior_title_levels"] == ["NATIONAL", "PROVINCIAL", "CITY"]
    assert form.initial["min_members"] == 6
    assert form.initial["unit"] == world.hunan.pk
    assert 'src="/static/cycles/cycle_form.js"' in response.text


def test_cycle_create_page_saves_and_redirects(world, login_as):
    data = _form(world.changde, level="CITY", name="2025—2026年度常德市青年文明号")
    response = login_as(world.users["hunan"]).post("/cycles/new/", data)

    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cycles/{cycle.pk}/"
    assert cycle.unit == world.changde
    assert cycle.prior_title_levels == ["NATIONAL", "PROVINCIAL"]
    assert AuditEntry.objects.filter(action="cycle.create", object_id=str(cycle.pk)).exists()


def test_cycle_create_page_errors_keep_typed_values(world, login_as):
    data = _form(world.hunan, min_members="30", max_members="20", name="我的届次")

    response = login_as(world.users["hunan"]).post("/cycles/new/", data)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"max_members": ["上限不能小于下限。"]}
    assert 'value="我的届次"' in response.text
    assert 'value="30"' in response.text
    assert Cycle.objects.count() == 0


def test_cycle_create_page_type_errors(world, login_as):
    data = _form(world.hunan, registration_opens="明天", min_youth_percent="0")

    response = login_as(world.users["hunan"]).post("/cycles/new/", data)

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"registration_opens"}
    assert 'value="明天"' in response.text


def test_cycle_create_page_percent_out_of_range(world, login_as):
    response = login_as(world.users["hunan"]).post(
        "/cycles/new/", _form(world.hunan, min_youth_percent="101")
    )

    assert response.context["form"].errors == {
        "min_youth_percent": ["请输入 1 到 100 之间的整数。"]
    }


def test_cycle_create_page_unit_outside_subtree_rejected(world, login_as):
    response = login_as(world.users["guangdong"]).post("/cycles/new/", _form(world.hunan))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["unit"]
    assert Cycle.objects.count() == 0


def test_cycle_create_page_other_level_403(world, login_as):
    """A city organises city cycles only; an industry unit none (API.md: 403)."""
    client = login_as(world.users["changde"])

    assert client.post("/cycles/new/", _form(world.changde)).status_code == 403
    assert login_as(world.users["transport"]).get("/cycles/new/").status_code == 403
    assert Cycle.objects.count() == 0


def test_cycle_create_page_city_cycle_by_the_city(world, login_as):
    client = login_as(world.users["changde"])
    data = _form(world.changde, name="2025—2026年度常德市青年文明号", level="CITY")

    assert client.post("/cycles/new/", data).status_code == 302
    assert Cycle.objects.get().level == "CITY"


def test_cycle_edit_page_saves_with_audit(world, login_as):
    cycle = CycleFactory(unit=world.hunan, name="湖南届次")
    data = _form(world.hunan, name="湖南届次", leader_max_age="38", approval_delegated="on")

    response = login_as(world.users["hunan"]).post(f"/cycles/{cycle.pk}/edit/", data)

    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.leader_max_age, cycle.approval_delegated) == (38, True)
    entry = AuditEntry.objects.get(action="cycle.update")
    assert entry.changes["leader_max_age"] == [40, 38]
    assert entry.changes["approval_delegated"] == [False, True]


def test_cycle_edit_page_cannot_be_own_previous(world, login_as):
    cycle = CycleFactory(unit=world.hunan)

    response = login_as(world.users["hunan"]).post(
        f"/cycles/{cycle.pk}/edit/", _form(world.hunan, previous=str(cycle.pk))
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["previous"]


def test_cycle_edit_page_below_owner_403(world, login_as):
    cycle = CycleFactory(unit=world.hunan)

    response = login_as(world.users["changde"]).get(f"/cycles/{cycle.pk}/edit/")

    assert response.status_code == 403


def test_cycle_edit_page_other_province_404(world, login_as):
    cycle = CycleFactory(unit=world.hunan)

    response = login_as(world.users["guangdong"]).get(f"/cycles/{cycle.pk}/edit/")

    assert response.status_code == 404


def test_cycle_detail_rules_in_plain_chinese(world, login_as):
    previous = CycleFactory(
        unit=world.hunan,
        name="2015—2016年度全国青年文明号",
        registration_opens=datetime.date(2013, 7, 1),
        registration_closes=datetime.date(2015, 10, 31),
    )
    cycle = CycleFactory(
        unit=world.hunan,
        name="2025—2026年度全国青年文明号（湖南）",
        previous=previous,
        prior_title_min_year=2020,
        registration_opens=datetime.date(2025, 11, 1),
        registration_closes=datetime.date(2026, 12, 31),
    )
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6, evaluation_quota=1)

    response = login_as(world.users["changde"]).get(f"/cycles/{cycle.pk}/")

    html = response.text
    assert response.status_code == 200
    assert "网络报备时间：2025年11月1日至2026年12月31日。" in html
    assert "上一届次：2015—2016年度全国青年文明号。" in html
    assert "集体须曾获以下级别之一的青年文明号称号：全国、省级。" in html
    assert "称号须为 2020 年及以后获得。" in html
    assert "集体成员人数为 6 至 200 人。" in html
    assert "35 周岁及以下青年占比不低于 50%。" in html
    assert "号长年龄不超过 40 周岁。" in html
    assert "创建集体数量须达到评选名额的 10 倍以上（创评比例 10:1）。" in html
    assert "报备由一级管理员审核。" in html
    assert "常德市团委" in html
    assert f'href="/cycles/{cycle.pk}/edit/"' not in html  # a tier-2 admin does not edit
    assert f'href="/cycles/{cycle.pk}/quotas/"' not in html


def test_cycle_detail_other_province_404(world, login_as):
    cycle = CycleFactory(unit=world.hunan)

    response = login_as(world.users["guangzhou"]).get(f"/cycles/{cycle.pk}/")

    assert response.status_code == 404
