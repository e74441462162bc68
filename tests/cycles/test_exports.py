"""名额分配表 (seeds 000 附件1): the children of a unit with their allocations and 合计, as a
printed table (title with the 届次, 单位名称（盖章）, 报送日期, A4 landscape, borders, CJK font)."""

import csv
import shutil
import subprocess
import tempfile

import openpyxl
import pytest

from qnwmh.core.tables import CSV, XLSX, write_table
from qnwmh.cycles import exports
from qnwmh.units.enums import Tier
from tests.cycles.factories import CycleFactory, QuotaFactory
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocated(world):
    """000 附件1 in small: Hunan's national allocation split over three cities."""
    cycle = CycleFactory(unit=world.national, name="2025—2026年度全国青年文明号")
    changsha = UnitFactory(name="长沙市团委", parent=world.hunan, tier=Tier.SECOND)
    UnitFactory(name="岳阳市团委", parent=world.hunan, tier=Tier.SECOND)  # nothing allocated
    QuotaFactory(cycle=cycle, unit=world.hunan, required_registrations=115, evaluation_quota=12)
    QuotaFactory(cycle=cycle, unit=changsha, required_registrations=10, evaluation_quota=2)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6, evaluation_quota=1)
    return cycle


def _write(table, rows, kind) -> str:
    path = tempfile.mkdtemp() + f"/table.{kind}"
    write_table(path, kind, table, rows, lambda *a: None, len(rows))
    return path


def test_quota_rows_children_with_their_allocation_and_total(world, allocated):
    rows = exports.quota_rows(world.users["hunan"], allocated, world.hunan)
    # By name (no official unit order in the tree yet); a child without a row counts 0.
    assert sorted(rows[:-1]) == [
        ("岳阳市团委", 0, 0),
        ("常德市团委", 6, 1),
        ("长沙市团委", 10, 2),
    ]
    assert [r[0] for r in rows[:-1]] == sorted(["岳阳市团委", "常德市团委", "长沙市团委"])
    assert rows[-1] == ("合计", 16, 3)


def test_quota_table_prints_as_the_seeds_table(world, allocated):
    table = exports.QuotaTable(allocated, world.hunan, "2026年12月4日")
    rows = exports.quota_rows(world.users["hunan"], allocated, world.hunan)
    sheet = openpyxl.load_workbook(_write(table, rows, XLSX)).active
    assert sheet["A1"].value.startswith("2025—2026年度全国青年文明号")
    assert sheet["A2"].value.startswith("单位名称（盖章）：湖南省团委")
    assert "报送日期：2026年12月4日" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == ["参与创建单位", "应完成网络创建数", "评选名额"]
    assert [c.value for c in sheet[7]][1:] == [16, 3]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$3:$3"
    assert sheet["A4"].font.name == "宋体" and sheet["A4"].border.bottom.style == "thin"


def test_quota_table_csv_is_data_only(world, allocated):
    table = exports.QuotaTable(allocated, world.hunan)
    rows = exports.quota_rows(world.users["hunan"], allocated, world.hunan)
    with open(_write(table, rows, CSV), encoding="utf-8-sig") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["参与创建单位", "应完成网络创建数", "评选名额"]
    assert written[-1][1:] == ["16", "3"]


def test_another_provinces_children_are_not_read(world, allocated):
    assert exports.quota_rows(world.users["guangdong"], allocated, world.hunan) == [("合计", 0, 0)]


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed")
def test_quota_table_converts_to_pdf_in_libreoffice(world, allocated, tmp_path):
    table = exports.QuotaTable(allocated, world.hunan, "2026年12月4日")
    rows = exports.quota_rows(world.users["hunan"], allocated, world.hunan)
    path = _write(table, rows, XLSX)
    subprocess.run(  # noqa: S603 — our own file, a fixed command
        [
            shutil.which("libreoffice"),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            path,
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    [pdf] = tmp_path.glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
