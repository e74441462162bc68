import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qnwmh.collectives.enums import Ownership
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.units.enums import Line
from tests.cycles.factories import (
    CollectiveFactory,
    CycleFactory,
    QuotaFactory,
    RegistrationFactory,
    TitleFactory,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    """Hunan's cycle: Changde (with Wuling below), Hengyang (nothing yet) and the power-industry
    unit, plus registrations made at Hunan itself and in another cycle."""
    cycle = CycleFactory(unit=world.hunan, name="湖南届次", evaluation_quota_multiplier=10)
    other_cycle = CycleFactory(unit=world.hunan, name="另一届次")
    hengyang = UnitFactory(name="衡阳市团委", parent=world.hunan)
    dianli = UnitFactory(name="湖南省电力行业团委", parent=world.hunan, line=Line.INDUSTRY)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=3, evaluation_quota=1)
    QuotaFactory(cycle=cycle, unit=hengyang, required_registrations=1, evaluation_quota=0)
    QuotaFactory(cycle=cycle, unit=dianli, required_registrations=2, evaluation_quota=0)

    def reg(unit, state, **kwargs):
        return RegistrationFactory(cycle=cycle, unit=unit, state=state, **kwargs)

    reg(world.changde, S.APPROVED, ownership=Ownership.NON_PUBLIC)
    reg(world.changde, S.SUBMITTED)
    reg(world.wuling, S.APPROVED, prior_titles=[{"level": "PROVINCIAL", "year": 2020}])
    titled = reg(world.wuling, S.PRE_APPROVED).collective
    TitleFactory(collective=titled)  # not approved yet: not counted as a previous title
    TitleFactory(collective=reg(world.wuling, S.APPROVED).collective)
    revoked = reg(world.wuling, S.APPROVED).collective
    TitleFactory(collective=revoked, revoked_at=timezone.now())
    social = CollectiveFactory(unit=world.wuling, ownership=Ownership.SOCIAL_ORG)
    reg(world.wuling, S.NAMED, collective=social)
    reg(world.wuling, S.DRAFT)
    reg(world.wuling, S.RETURNED)
    reg(world.wuling, S.CANCELLED, ownership=Ownership.NON_PUBLIC)
    reg(dianli, S.APPROVED)
    reg(dianli, S.NOMINATED)
    reg(world.hunan, S.APPROVED)
    RegistrationFactory(cycle=other_cycle, unit=world.changde, state=S.APPROVED)
    return cycle, hengyang, dianli


def _rows(response):
    return {
        row["unit_name"]: {k: v for k, v in row.items() if k not in ("unit", "unit_name")}
        for row in response.json()["results"]
    }


def test_progress_counts_per_child_subtree(world, api_client, data):
    cycle, hengyang, dianli = data

    response = api_client.as_user(world.users["hunan"]).get(f"/cycles/{cycle.pk}/progress")

    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == world.hunan.pk
    assert [r["unit"] for r in body["results"]] == [
        world.hunan.pk,
        world.changde.pk,
        hengyang.pk,
        dianli.pk,
    ]
    assert _rows(response) == {
        "湖南省团委": {
            "direct": True,
            "required": 0,
            "evaluation_quota": 0,
            "registered": 1,
            "approved": 1,
            "non_public": 0,
            "previous_title": 0,
            "previous_title_percent": 0,
            "ratio_target": 0,
            "ratio_ok": True,
            "shortfalls": [],
        },
        "常德市团委": {
            "direct": False,
            "required": 3,
            "evaluation_quota": 1,
            "registered": 7,
            "approved": 5,
            "non_public": 2,
            "previous_title": 2,
            "previous_title_percent": 40,
            "ratio_target": 10,
            "ratio_ok": False,
            "shortfalls": [
                {
                    "rule": "evaluation_ratio",
                    "message": "创建集体 5 个，未达到评选名额 1 个的 10 倍（10 个）。",
                }
            ],
        },
        "衡阳市团委": {
            "direct": False,
            "required": 1,
            "evaluation_quota": 0,
            "registered": 0,
            "approved": 0,
            "non_public": 0,
            "previous_title": 0,
            "previous_title_percent": None,
            "ratio_target": 0,
            "ratio_ok": True,
            "shortfalls": [
                {
                    "rule": "required_registrations",
                    "message": "已审核通过 0 个，应完成网络创建数 1 个。",
                },
                {"rule": "non_public", "message": "尚无审核通过的非公经济或社会组织创建集体。"},
            ],
        },
        "湖南省电力行业团委": {
            "direct": False,
            "required": 2,
            "evaluation_quota": 0,
            "registered": 2,
            "approved": 2,
            "non_public": 0,
            "previous_title": 0,
            "previous_title_percent": 0,
            "ratio_target": 0,
            "ratio_ok": True,
            "shortfalls": [],
        },
    }
    totals = body["totals"]
    assert (totals["required"], totals["registered"], totals["approved"]) == (6, 10, 8)
    assert (totals["non_public"], totals["previous_title"], totals["ratio_target"]) == (2, 2, 10)


def test_progress_ratio_rule_boundary(world, api_client):
    cycle = CycleFactory(unit=world.hunan, evaluation_quota_multiplier=2)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=0, evaluation_quota=2)
    for _ in range(3):
        RegistrationFactory(
            cycle=cycle, unit=world.changde, state=S.APPROVED, ownership="SOCIAL_ORG"
        )
    client = api_client.as_user(world.users["hunan"])

    below = client.get(f"/cycles/{cycle.pk}/progress").json()["results"][0]
    RegistrationFactory(cycle=cycle, unit=world.wuling, state=S.APPROVED)
    reached = client.get(f"/cycles/{cycle.pk}/progress").json()["results"][0]

    assert (below["approved"], below["ratio_target"], below["ratio_ok"]) == (3, 4, False)
    assert [s["rule"] for s in below["shortfalls"]] == ["evaluation_ratio"]
    assert (reached["approved"], reached["ratio_ok"], reached["shortfalls"]) == (4, True, [])


def test_progress_required_boundary(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=2, evaluation_quota=0)
    RegistrationFactory(cycle=cycle, unit=world.changde, state=S.APPROVED, ownership="NON_PUBLIC")
    RegistrationFactory(cycle=cycle, unit=world.changde, state=S.SUBMITTED)
    client = api_client.as_user(world.users["hunan"])

    below = client.get(f"/cycles/{cycle.pk}/progress").json()["results"][0]
    RegistrationFactory(cycle=cycle, unit=world.changde, state=S.APPROVED)
    met = client.get(f"/cycles/{cycle.pk}/progress").json()["results"][0]

    assert [s["rule"] for s in below["shortfalls"]] == ["required_registrations"]
    assert met["shortfalls"] == []


def test_progress_drill_down_to_child(world, api_client, data):
    cycle, _hengyang, _dianli = data

    response = api_client.as_user(world.users["hunan"]).get(
        f"/cycles/{cycle.pk}/progress", {"unit": world.changde.pk}
    )

    rows = _rows(response)
    assert list(rows) == ["常德市团委", "武陵区团委"]
    assert (rows["常德市团委"]["direct"], rows["常德市团委"]["approved"]) == (True, 1)
    assert (rows["武陵区团委"]["registered"], rows["武陵区团委"]["approved"]) == (5, 4)


def test_progress_defaults_to_callers_unit(world, api_client, data):
    cycle, _hengyang, _dianli = data

    response = api_client.as_user(world.users["changde"]).get(f"/cycles/{cycle.pk}/progress")

    assert response.json()["unit"] == world.changde.pk
    assert list(_rows(response)) == ["常德市团委", "武陵区团委"]


def test_progress_unit_above_caller_404(world, api_client, data):
    cycle, _hengyang, _dianli = data

    response = api_client.as_user(world.users["changde"]).get(
        f"/cycles/{cycle.pk}/progress", {"unit": world.hunan.pk}
    )

    assert response.status_code == 404


def test_progress_other_province_unit_404(world, api_client):
    national = CycleFactory(unit=world.national)
    RegistrationFactory(cycle=national, unit=world.changde, state=S.APPROVED)

    response = api_client.as_user(world.users["guangdong"]).get(
        f"/cycles/{national.pk}/progress", {"unit": world.hunan.pk}
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_progress_other_province_cycle_404(world, api_client, data):
    cycle, _hengyang, _dianli = data

    response = api_client.as_user(world.users["guangdong"]).get(f"/cycles/{cycle.pk}/progress")

    assert response.status_code == 404


def test_progress_national_sees_provinces(world, api_client):
    national = CycleFactory(unit=world.national)
    RegistrationFactory(cycle=national, unit=world.wuling, state=S.APPROVED)
    RegistrationFactory(cycle=national, unit=world.guangzhou, state=S.SUBMITTED)

    response = api_client.as_user(world.users["national"]).get(f"/cycles/{national.pk}/progress")

    rows = _rows(response)
    assert list(rows) == ["湖南省团委", "广东省团委", "交通运输部团委"]
    assert (rows["湖南省团委"]["registered"], rows["湖南省团委"]["approved"]) == (1, 1)
    assert (rows["广东省团委"]["registered"], rows["广东省团委"]["approved"]) == (1, 0)


def test_progress_bad_unit_param_400(world, api_client, data):
    cycle, _hengyang, _dianli = data

    response = api_client.as_user(world.users["hunan"]).get(
        f"/cycles/{cycle.pk}/progress", {"unit": "常德"}
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["unit"]


def test_progress_collective_account_forbidden(world, api_client, data):
    from qnwmh.accounts.enums import AccountKind
    from tests.factories import UserFactory

    cycle, _hengyang, _dianli = data
    account = UserFactory(kind=AccountKind.COLLECTIVE, unit=None)

    response = api_client.as_user(account).get(f"/cycles/{cycle.pk}/progress")

    assert response.status_code == 403


def _grow(world, cycle, count):
    for i in range(count):
        city = UnitFactory(name=f"新增市{i}", parent=world.hunan)
        QuotaFactory(cycle=cycle, unit=city, required_registrations=3)
        county = UnitFactory(name=f"新增县{i}", parent=city)
        RegistrationFactory(cycle=cycle, unit=city, state=S.APPROVED)
        RegistrationFactory(cycle=cycle, unit=county, state=S.SUBMITTED)


def test_progress_api_query_count_constant(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde)
    RegistrationFactory(cycle=cycle, unit=world.wuling, state=S.APPROVED)
    client = api_client.as_user(world.users["hunan"])
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"/cycles/{cycle.pk}/progress").json()["results"]) == 1
    _grow(world, cycle, 12)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"/cycles/{cycle.pk}/progress").json()["results"]) == 13

    assert len(many) == len(one)


def test_progress_page_query_count_constant(world, login_as):
    cycle = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde)
    RegistrationFactory(cycle=cycle, unit=world.wuling, state=S.APPROVED)
    client = login_as(world.users["hunan"])
    url = f"/cycles/{cycle.pk}/progress/"
    client.get(url)  # session and translation caches warm
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _grow(world, cycle, 12)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["report"].rows) == 13

    assert len(many) == len(one)


def test_progress_page_table_chart_and_links(world, login_as, data):
    cycle, hengyang, _dianli = data

    response = login_as(world.users["hunan"]).get(f"/cycles/{cycle.pk}/progress/")

    assert response.status_code == 200
    html = response.text
    assert f'<a href="?unit={world.changde.pk}">常德市团委</a>' in html
    assert f'href="?unit={hengyang.pk}"' not in html  # nothing below Hengyang to drill into
    assert '<span class="badge bad" data-rule="non_public">' in html
    assert html.count('data-rule="required_registrations"') == 1
    assert "<svg" in html
    assert html.count('<rect class="bar required"') == 4
    assert "湖南省团委（本级）" in html
    assert "<script>" not in html
    assert 'style="' not in html


def test_progress_page_other_province_404(world, login_as, data):
    cycle, _hengyang, _dianli = data

    response = login_as(world.users["guangzhou"]).get(f"/cycles/{cycle.pk}/progress/")

    assert response.status_code == 404


def test_progress_page_unit_outside_scope_404(world, login_as):
    national = CycleFactory(unit=world.national)

    response = login_as(world.users["guangdong"]).get(
        f"/cycles/{national.pk}/progress/", {"unit": world.hunan.pk}
    )

    assert response.status_code == 404


def test_progress_page_bad_unit_param_404(world, login_as, data):
    cycle, _hengyang, _dianli = data

    response = login_as(world.users["hunan"]).get(f"/cycles/{cycle.pk}/progress/", {"unit": "x"})

    assert response.status_code == 404


def test_cycle_progress_is_documented_with_its_own_schema(client):
    """Two schemas named ProgressOut (here and in registrations) made the document describe
    /cycles/{id}/progress with the rows of /progress."""
    document = client.get("/api/v1/openapi.json").json()
    answer = document["paths"]["/api/v1/cycles/{cycle_id}/progress"]["get"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"cycle", "totals", "results"} <= set(
        document["components"]["schemas"][ref]["properties"]
    )


@pytest.fixture
def national(world):
    """The one national cycle: the committee gives Hunan 115 / 12, Hunan gives 常德 6 / 1
    (seeds 000 附件1); 常德 has three approved collectives, all public."""
    cycle = CycleFactory(unit=world.national, evaluation_quota_multiplier=10)
    QuotaFactory(cycle=cycle, unit=world.hunan, required_registrations=115, evaluation_quota=12)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6, evaluation_quota=1)
    for _ in range(3):
        RegistrationFactory(cycle=cycle, unit=world.wuling, state=S.APPROVED)
    return cycle


def test_progress_totals_carry_the_units_own_allocation(world, api_client, national):
    """Hunan sees its own 115, 常德 its own 6 (issue 10 item 2), each first, then its
    children's."""
    hunan = api_client.as_user(world.users["hunan"]).get(f"/cycles/{national.pk}/progress")
    totals = hunan.json()["totals"]
    assert (totals["required"], totals["evaluation_quota"], totals["ratio_target"]) == (
        115,
        12,
        120,
    )
    assert {s["rule"] for s in totals["shortfalls"]} == {
        "required_registrations",
        "evaluation_ratio",
        "non_public",
    }
    assert _rows(hunan)["常德市团委"]["required"] == 6

    changde = api_client.as_user(world.users["changde"]).get(f"/cycles/{national.pk}/progress")
    assert (changde.json()["totals"]["required"], changde.json()["totals"]["approved"]) == (6, 3)


def test_progress_city_sees_the_verdict_the_province_sees(world, api_client, national):
    province_view = _rows(
        api_client.as_user(world.users["hunan"]).get(f"/cycles/{national.pk}/progress")
    )["常德市团委"]
    city_totals = (
        api_client.as_user(world.users["changde"])
        .get(f"/cycles/{national.pk}/progress")
        .json()["totals"]
    )

    assert city_totals["shortfalls"] == province_view["shortfalls"]
    assert {s["rule"] for s in city_totals["shortfalls"]} == {
        "required_registrations",
        "evaluation_ratio",
        "non_public",
    }
    assert city_totals["ratio_ok"] is False  # 3 < 10 × 1
    assert province_view["ratio_ok"] is False


def test_progress_organiser_totals_sum_the_children(world, api_client, national):
    response = api_client.as_user(world.users["national"]).get(f"/cycles/{national.pk}/progress")

    assert response.json()["totals"]["required"] == 115
    assert response.json()["totals"]["shortfalls"] == []


def test_progress_page_shows_own_allocation_first_in_red(world, login_as, national):
    response = login_as(world.users["changde"]).get(f"/cycles/{national.pk}/progress/")

    html = response.text
    assert response.context["report"].own is True
    assert "常德市团委：本级分配名额" in html
    own_row = html[html.index('<tr class="own shortfall">') : html.index("</tbody>")]
    assert 'data-rule="required_registrations"' in own_row
    assert html.index('class="own') < html.index("武陵区团委")
