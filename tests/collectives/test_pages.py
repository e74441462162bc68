"""The collective pages: list and search, create with candidates, detail and its actions,
import. Admins only; outside the subtree 404."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qnwmh.accounts.models import User
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.cycles.enums import Level
from qnwmh.jobs.models import Job
from qnwmh.units.enums import Line
from tests.collectives.factories import (
    CollectiveFactory,
    FormerNameFactory,
    FrozenCollectiveFactory,
    TitleFactory,
)

DATA = Path(__file__).resolve().parent / "data"
pytestmark = pytest.mark.django_db


def _codes(response) -> list[str]:
    return [c.code for c in response.context["page"].items]


# --- list and search ----------------------------------------------------------------------


def test_list_shows_the_subtree_only(world, login_as):
    mine = CollectiveFactory(code="5200000001", unit=world.wuling)
    CollectiveFactory(code="5200000002", unit=world.guangzhou)
    response = login_as(world.users["changde"]).get("/collectives/")
    assert response.status_code == 200
    assert _codes(response) == [mine.code]
    response = login_as(world.users["guangdong"]).get("/collectives/")
    assert _codes(response) == ["5200000002"]


def _cells(response, code: str) -> list[str]:
    row = re.search(
        rf"<tr>\s*<td><a [^>]*><code>{code}</code>.*?</tr>", response.content.decode(), re.S
    )
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row[0], re.S)
    ]


def test_list_row_shows_former_names_newest_first_and_titles_latest_first(world, login_as):
    # The row's former names and titles come from subqueries of the row query (§3).
    collective = CollectiveFactory(
        code="5200000001", name="武陵区青年文明号班组", unit=world.wuling
    )
    older = FormerNameFactory(collective=collective, name="老名称")
    newer = FormerNameFactory(collective=collective, name="新名称")
    FormerName.objects.filter(pk=older.pk).update(
        replaced_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    FormerName.objects.filter(pk=newer.pk).update(
        replaced_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    TitleFactory(collective=collective, level=Level.PROVINCIAL, year=2021)
    TitleFactory(collective=collective, level=Level.NATIONAL, year=2025)
    CollectiveFactory(code="5200000002", unit=world.wuling)
    response = login_as(world.users["changde"]).get("/collectives/")
    assert _cells(response, "5200000001")[2:6] == [
        "新名称；老名称",
        world.wuling.name,
        "公有制",
        "2025 全国 2021 省级",
    ]
    assert _cells(response, "5200000002")[2] == "—"
    assert _cells(response, "5200000002")[5] == "—"


def test_list_search_by_code_name_and_former_name(world, login_as):
    hospital = CollectiveFactory(code="5200000001", unit=world.wuling, name="武陵区人民医院急诊科")
    FormerNameFactory(collective=hospital, name="武陵区医院急救中心")
    tobacco = CollectiveFactory(code="5300000001", unit=world.changde, name="常德烟草物流配送中心")
    client = login_as(world.users["hunan"])
    assert _codes(client.get("/collectives/", {"q": "5200000001"})) == [hospital.code]
    assert _codes(client.get("/collectives/", {"q": "53"})) == [tobacco.code]
    assert _codes(client.get("/collectives/", {"q": "人民医院（急诊"})) == [hospital.code]
    assert _codes(client.get("/collectives/", {"q": "急救中心"})) == [hospital.code]
    assert _codes(client.get("/collectives/", {"q": "不存在"})) == []


def test_list_filters_unit_ownership_and_data_ok(world, login_as):
    CollectiveFactory(code="5200000001", unit=world.wuling, ownership=Ownership.NON_PUBLIC)
    CollectiveFactory(code="5200000002", unit=world.changde)
    FrozenCollectiveFactory(code="5200000003", unit=world.changde)
    client = login_as(world.users["hunan"])
    assert _codes(client.get("/collectives/", {"unit": world.wuling.pk})) == ["5200000001"]
    assert _codes(client.get("/collectives/", {"unit": world.changde.pk})) == [
        "5200000001",
        "5200000002",
        "5200000003",
    ]
    assert _codes(client.get("/collectives/", {"ownership": "NON_PUBLIC"})) == ["5200000001"]
    assert _codes(client.get("/collectives/", {"data_ok": "no"})) == ["5200000003"]
    assert _codes(client.get("/collectives/", {"data_ok": "yes"})) == ["5200000001", "5200000002"]


def test_list_unit_filter_outside_subtree_is_ignored_as_invalid(world, login_as):
    CollectiveFactory(code="5200000001", unit=world.wuling)
    response = login_as(world.users["changde"]).get("/collectives/", {"unit": world.guangzhou.pk})
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert _codes(response) == ["5200000001"]


def test_list_badges_frozen_records_with_their_reasons(world, login_as):
    FrozenCollectiveFactory(unit=world.changde)
    content = login_as(world.users["changde"]).get("/collectives/").content.decode()
    assert "否（冻结）" in content
    assert "缺少性质。" in content
    assert "找回编码" in content


def test_list_is_for_admins_only(world, login_as, client):
    collective_user = CollectiveFactory(unit=world.wuling).user
    assert login_as(collective_user).get("/collectives/").status_code == 404
    assert login_as(world.users["judge"]).get("/collectives/").status_code == 404
    client.logout()
    assert client.get("/collectives/").status_code == 302


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/collectives/", {"page_size": 50})
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_rows(world, login_as):
    client = login_as(world.users["hunan"])
    first = CollectiveFactory(unit=world.wuling)
    FormerNameFactory(collective=first)
    TitleFactory(collective=first)
    one = _list_queries(client)
    for _n in range(15):
        collective = CollectiveFactory(unit=world.changde)
        FormerNameFactory(collective=collective)
        TitleFactory(collective=collective)
    assert _list_queries(client) == one


# --- create -----------------------------------------------------------------------------


def _form(unit, name="武陵区人民医院急诊科", **extra):
    return {
        "name": name,
        "unit": unit.pk,
        "line": Line.REGION,
        "industry": "卫生健康",
        "ownership": Ownership.PUBLIC,
        "leader_name": "",
        "phone": "",
        **extra,
    }


def test_create_page_form(world, login_as):
    response = login_as(world.users["changde"]).get("/collectives/new/")
    assert response.status_code == 200
    units = [u.pk for u in response.context["form"].fields["unit"].queryset]
    assert units == [world.changde.pk, world.wuling.pk]


def test_create_page_creates_and_shows_one_time_password(world, login_as):
    response = login_as(world.users["changde"]).post("/collectives/new/", _form(world.wuling))
    collective = Collective.objects.get()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.context["collective"] == collective
    assert collective.user.check_password(response.context["one_time_password"])
    assert collective.code in response.content.decode()


def test_create_page_shows_candidates_before_creating(world, login_as):
    existing = CollectiveFactory(unit=world.changde, name="长沙银行股份有限公司营业部")
    client = login_as(world.users["hunan"])
    response = client.post("/collectives/new/", _form(world.changde, name="长沙银行营业部"))
    assert response.status_code == 200
    assert [c.collective for c in response.context["candidates"]] == [existing]
    content = response.content.decode()
    assert "不是同一个集体，仍然创建" in content
    assert existing.code in content
    assert Collective.objects.count() == 1
    response = client.post(
        "/collectives/new/", _form(world.changde, name="长沙银行营业部", confirmed="on")
    )
    assert response.status_code == 200
    assert Collective.objects.filter(name="长沙银行营业部").exists()


def test_create_page_exact_duplicate_names_the_existing_code(world, login_as):
    existing = CollectiveFactory(unit=world.wuling, name="武陵区人民医院急诊科")
    response = login_as(world.users["changde"]).post(
        "/collectives/new/", _form(world.changde, name="武陵区人民医院（急诊科）", confirmed="on")
    )
    assert response.status_code == 409
    assert response.context["form"].errors["name"] == [
        f"集体“武陵区人民医院急诊科”已存在，编码为 {existing.code}（归口单位：武陵区团委）。"
        "一个集体只有一个编码：请使用现有编码；如归口单位有误，请由同时管辖两个单位的上级管理员将其转移。"
    ]
    assert response.context["existing"] == existing
    assert response.context["form"]["name"].value() == "武陵区人民医院（急诊科）"
    assert Collective.objects.count() == 1


def test_create_page_unit_outside_subtree_is_400(world, login_as):
    response = login_as(world.users["changde"]).post("/collectives/new/", _form(world.guangzhou))
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    assert Collective.objects.count() == 0


def test_create_page_bad_phone_shown_next_to_field(world, login_as):
    response = login_as(world.users["changde"]).post(
        "/collectives/new/", _form(world.changde, phone="123", confirmed="on")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["phone"] == [
        "请输入 11 位手机号码或带区号的固定电话，如 0736-1234567。"
    ]


def test_candidates_partial(world, login_as):
    existing = CollectiveFactory(unit=world.changde, name="常德烟草物流配送中心有限公司")
    client = login_as(world.users["hunan"])
    response = client.get("/collectives/new/candidates/", {"name": "常德烟草物流配送中心"})
    assert [c.collective for c in response.context["candidates"]] == [existing]
    response = client.get("/collectives/new/candidates/", {"name": ""})
    assert response.context["candidates"] == []


# --- detail and actions --------------------------------------------------------------------


def test_detail_shows_names_titles_and_login(world, login_as):
    collective = CollectiveFactory(unit=world.wuling, name="武陵区人民医院急诊科")
    FormerNameFactory(collective=collective, name="武陵区医院急诊科")
    TitleFactory(collective=collective, level="PROVINCIAL", year=2022, name="湖南省青年文明号")
    response = login_as(world.users["changde"]).get(f"/collectives/{collective.code}/")
    content = response.content.decode()
    assert response.status_code == 200
    for text in (collective.code, "武陵区医院急诊科", "湖南省青年文明号", "2022", "正常"):
        assert text in content


def test_detail_outside_subtree_is_404(world, login_as):
    collective = CollectiveFactory(unit=world.wuling)
    for admin in ("guangdong", "guangzhou", "transport"):
        assert login_as(world.users[admin]).get(f"/collectives/{collective.code}/").status_code == (
            404
        )
    assert login_as(collective.user).get(f"/collectives/{collective.code}/").status_code == 404


def test_detail_rename(world, login_as):
    collective = CollectiveFactory(unit=world.wuling, name="甲科室")
    client = login_as(world.users["wuling"])
    response = client.post(f"/collectives/{collective.code}/rename/", {"name": "乙科室"})
    assert response.status_code == 302
    collective.refresh_from_db()
    assert collective.name == "乙科室"
    assert list(collective.former_names.values_list("name", flat=True)) == ["甲科室"]
    response = client.post(f"/collectives/{collective.code}/rename/", {"name": "乙科室"})
    assert response.status_code == 400
    assert response.context["rename_form"].errors["name"] == ["新名称与现名称相同。"]


def test_detail_rename_outside_subtree_is_404(world, login_as):
    collective = CollectiveFactory(unit=world.wuling, name="甲科室")
    response = login_as(world.users["guangdong"]).post(
        f"/collectives/{collective.code}/rename/", {"name": "乙科室"}
    )
    assert response.status_code == 404
    assert Collective.objects.get(pk=collective.pk).name == "甲科室"


def test_detail_update_details(world, login_as):
    collective = CollectiveFactory(unit=world.wuling)
    response = login_as(world.users["wuling"]).post(
        f"/collectives/{collective.code}/details/",
        {"industry": "金融", "ownership": "SOCIAL_ORG", "leader_name": "张青", "phone": ""},
    )
    assert response.status_code == 302
    collective.refresh_from_db()
    assert (collective.industry, collective.ownership, collective.leader_name) == (
        "金融",
        "SOCIAL_ORG",
        "张青",
    )


def test_detail_reset_password_page(world, login_as):
    collective = CollectiveFactory(unit=world.wuling)
    response = login_as(world.users["hunan"]).post(
        f"/collectives/{collective.code}/reset-password/"
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    account = User.objects.get(pk=collective.user.pk)
    assert account.check_password(response.context["one_time_password"])
    assert account.must_change_password is True


def test_detail_reset_password_by_another_province_is_404(world, login_as):
    collective = CollectiveFactory(unit=world.wuling)
    response = login_as(world.users["guangdong"]).post(
        f"/collectives/{collective.code}/reset-password/"
    )
    assert response.status_code == 404
    assert User.objects.get(pk=collective.user.pk).must_change_password is False


def test_detail_reset_password_of_frozen_record_is_409(world, login_as):
    collective = FrozenCollectiveFactory(unit=world.changde)
    response = login_as(world.users["changde"]).post(
        f"/collectives/{collective.code}/reset-password/"
    )
    assert response.status_code == 409
    assert "请先完善信息并解冻" in response.content.decode()


def test_detail_unlock(world, login_as):
    collective = CollectiveFactory(unit=world.wuling)
    User.objects.filter(pk=collective.user.pk).update(
        locked_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    response = login_as(world.users["changde"]).post(f"/collectives/{collective.code}/unlock/")
    assert response.status_code == 302
    assert User.objects.get(pk=collective.user.pk).locked_until is None


def test_detail_transfer(world, login_as):
    collective = CollectiveFactory(unit=world.changde)
    client = login_as(world.users["changde"])
    response = client.post(f"/collectives/{collective.code}/transfer/", {"unit": world.wuling.pk})
    assert response.status_code == 302
    assert Collective.objects.get(pk=collective.pk).unit == world.wuling
    response = client.post(
        f"/collectives/{collective.code}/transfer/", {"unit": world.guangzhou.pk}
    )
    assert response.status_code == 400
    assert Collective.objects.get(pk=collective.pk).unit == world.wuling


def test_detail_unfreeze(world, login_as):
    collective = FrozenCollectiveFactory(unit=world.changde)
    client = login_as(world.users["changde"])
    page = client.get(f"/collectives/{collective.code}/").content.decode()
    assert "完善信息并解冻" in page and "缺少性质。" in page
    response = client.post(f"/collectives/{collective.code}/unfreeze/", {"ownership": ""})
    assert response.status_code == 400
    assert response.context["unfreeze_form"].errors["ownership"] == [
        "性质请选择公有制、非公有制经济或社会组织。"
    ]
    response = client.post(f"/collectives/{collective.code}/unfreeze/", {"ownership": "PUBLIC"})
    assert response.status_code == 302
    collective.refresh_from_db()
    assert (collective.data_ok, collective.frozen_reasons) == (True, [])


def test_detail_delete_frozen(world, login_as):
    collective = FrozenCollectiveFactory(unit=world.changde)
    response = login_as(world.users["changde"]).post(f"/collectives/{collective.code}/delete/")
    assert response.status_code == 302
    assert not Collective.objects.filter(pk=collective.pk).exists()


def test_detail_delete_qualified_record_is_409(world, login_as):
    collective = CollectiveFactory(unit=world.changde)
    response = login_as(world.users["changde"]).post(f"/collectives/{collective.code}/delete/")
    assert response.status_code == 409
    assert Collective.objects.filter(pk=collective.pk).exists()


def test_detail_actions_need_post(world, login_as):
    collective = CollectiveFactory(unit=world.changde)
    client = login_as(world.users["changde"])
    for action in ("rename", "details", "transfer", "unfreeze", "reset-password", "delete"):
        assert client.get(f"/collectives/{collective.code}/{action}/").status_code == 405


# --- import -----------------------------------------------------------------------------


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_import_page_explains_row_by_row_import(world, login_as):
    response = login_as(world.users["hunan"]).get("/collectives/import/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "逐行单独导入" in content and "重复导入同一文件不会重复创建" in content


def test_import_page_refuses_a_non_spreadsheet(world, login_as, _media):
    upload = SimpleUploadedFile("list.xlsx", b"%PDF-1.7 not a sheet")
    response = login_as(world.users["hunan"]).post("/collectives/import/", {"file": upload})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["这不是 Excel（.xlsx）或 CSV 文件。"]
    assert Job.objects.count() == 0


def test_import_page_starts_a_job_and_its_page_reports_lines(
    world, login_as, _media, django_capture_on_commit_callbacks
):
    client = login_as(world.users["hunan"])
    upload = SimpleUploadedFile("一期导出.csv", (DATA / "legacy_messy.csv").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/collectives/import/", {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.title == "导入旧系统数据：一期导出.csv"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "共读取 14 行" in page and "缺少集体名称，本行未导入。" in page


def test_import_page_is_for_admins_only(world, login_as):
    collective_user = CollectiveFactory(unit=world.wuling).user
    assert login_as(collective_user).get("/collectives/import/").status_code == 404


def test_import_template_download(world, login_as):
    response = login_as(world.users["hunan"]).get("/collectives/import/template.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == (
        "集体名称,集体编码/用户名,归口单位,条块,行业,性质,号长,联系电话,所获称号,获得年份"
    )


def test_navigation_has_collectives_for_admins(world, login_as):
    response = login_as(world.users["changde"]).get("/collectives/")
    labels = [item["label"] for item in response.context["nav_items"]]
    assert "集体" in labels
    collective_user = CollectiveFactory(unit=world.wuling).user
    domain_user_nav = login_as(collective_user).get("/")
    assert "集体" not in [item["label"] for item in domain_user_nav.context["nav_items"]]


DETAIL_ACTIONS = ["rename", "details", "transfer", "unfreeze", "reset-password", "unlock", "delete"]


@pytest.mark.parametrize("action", DETAIL_ACTIONS)
def test_detail_actions_outside_subtree_are_404(world, login_as, action):
    collective = FrozenCollectiveFactory(unit=world.changde)
    client = login_as(world.users["guangzhou"])
    response = client.post(f"/collectives/{collective.code}/{action}/", {"name": "乙"})
    assert response.status_code == 404
    assert Collective.objects.filter(pk=collective.pk, data_ok=False).exists()


@pytest.mark.parametrize(
    "path",
    ["/collectives/", "/collectives/new/", "/collectives/new/candidates/", "/collectives/import/"],
)
def test_pages_are_404_for_a_collective_and_a_judge(world, login_as, path):
    collective_user = CollectiveFactory(unit=world.wuling).user
    for user in (collective_user, world.users["judge"]):
        assert login_as(user).get(path).status_code == 404


def test_list_asks_for_two_characters_of_a_name(world, login_as):
    CollectiveFactory(unit=world.wuling, name="武陵区人民医院急诊科")
    response = login_as(world.users["hunan"]).get("/collectives/", {"q": "医"})
    assert "请至少输入两个字" in response.content.decode()
    assert _codes(response) == []
