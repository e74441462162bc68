"""The shared table writer (core/tables.py): one definition, written as Excel and as CSV with the
same cells, formula cells guarded, progress per chunk, and what a printed 汇总表 needs."""

import csv
import io

import openpyxl
import pytest

from qnwmh.core.tables import CSV, XLSX, Column, Table, write_table, write_while_reading


class Quotas(Table):
    """A small table as a later 汇总表 would define it: text and number columns."""

    sheet_name = "名额分配表"
    columns = (Column("单位", 30), Column("应报备数", 10, text=False), Column("备注", 20))


def _xlsx(path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))


def _csv(path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


SOURCE = [("常德市团委", 6, ""), ("=衡阳市团委", 0, "+备注"), ("长沙市团委", None, "无")]


def test_table_written_as_excel_with_numbers_blanks_and_guarded_text(tmp_path):
    path = tmp_path / "t.xlsx"
    write_table(str(path), XLSX, Quotas(), SOURCE, lambda *a: None, 3)
    assert _xlsx(path) == [
        ("单位", "应报备数", "备注"),
        ("常德市团委", 6, None),
        ("'=衡阳市团委", 0, "'+备注"),
        ("长沙市团委", None, "无"),
    ]
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.title == "名额分配表"
    assert (sheet.column_dimensions["A"].width, sheet.freeze_panes) == (
        pytest.approx(30.7, 0.1),
        "A2",
    )


def test_table_written_as_csv_with_the_same_cells(tmp_path):
    path = tmp_path / "t.csv"
    write_table(str(path), CSV, Quotas(), SOURCE, lambda *a: None, 3)
    assert _csv(path) == [
        ["单位", "应报备数", "备注"],
        ["常德市团委", "6", ""],
        ["'=衡阳市团委", "0", "'+备注"],
        ["长沙市团委", "", "无"],
    ]


def test_progress_is_reported_per_chunk(tmp_path):
    reported = []
    table = Quotas()
    table.chunk_size = 2
    write_table(str(tmp_path / "t.csv"), CSV, table, SOURCE, lambda *a: reported.append(a), 3)
    assert reported == [(2, 3), (3, 3), (3, 3)]


def test_title_header_lines_and_print_setup_for_a_printed_table(tmp_path):
    table = Quotas()
    table.title = "2025—2026年度全国青年文明号名额分配表"
    table.header_lines = ("单位名称（盖章）：湖南省团委", "=报送日期")
    table.landscape = table.repeat_header = True
    table.columns = (*Quotas.columns[:2], Column("备注", 20, cell_format={"border": 1}))
    path = tmp_path / "t.xlsx"
    write_table(str(path), XLSX, table, SOURCE, lambda *a: None, 3)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[:4] == [
        ("2025—2026年度全国青年文明号名额分配表", None, None),
        ("单位名称（盖章）：湖南省团委", None, None),
        ("'=报送日期", None, None),
        ("单位", "应报备数", "备注"),
    ]
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["A1:C1", "A2:C2", "A3:C3"]
    assert (sheet.freeze_panes, sheet.print_title_rows) == ("A5", "$4:$4")
    setup = sheet.page_setup
    # Fitted to one page wide (fitToWidth 1 is the default, left out of the file), any height.
    assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # A column with a cell format gets it on every data cell, the empty one too.
    assert [sheet.cell(row, 3).border.left.style for row in (5, 6, 7)] == ["thin"] * 3


def test_csv_holds_the_column_headers_and_rows_only(tmp_path):
    table = Quotas()
    table.title, table.header_lines = "标题", ("单位名称（盖章）",)
    path = tmp_path / "t.csv"
    write_table(str(path), CSV, table, SOURCE[:1], lambda *a: None, 1)
    assert _csv(path) == [["单位", "应报备数", "备注"], ["常德市团委", "6", ""]]


def test_a_failing_writer_fails_the_export():
    def broken(chunk):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_while_reading(iter([[["a"]]] * 5), broken, lambda *a: None, 5)
