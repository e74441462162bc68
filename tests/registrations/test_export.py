"""申报集体汇总表: a background job over a cycle and the admin's subtree, as Excel or CSV."""

import csv
import io
import json
import tempfile

import openpyxl
import pytest
from django.utils import translation

from qnwmh.core.spreadsheets import safe_cell
from qnwmh.jobs.enums import JobStatus
from qnwmh.jobs.models import Job
from qnwmh.registrations.enums import RegistrationState as S
from tests.conftest import count_queries
from tests.registrations.factories import (
    CollectiveFactory,
    CycleFactory,
    RegistrationFactory,
    TitleFactory,
)

HEADER = ("序号", "集体名称", "归口单位", "所获称号及时间", "是否网上报备", "状态")
# The title line and the seed's header line (单位名称（盖章）, 报送日期) above the header row.
TOP = 2


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def export(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registrations/export/", data)
    return response


def sheet_rows(job: Job) -> list[tuple]:
    """The header row and the data rows (the title and header lines cut off)."""
    return list(workbook_of(job).active.iter_rows(values_only=True))[TOP:]


def workbook_of(job: Job):
    with job.output_file.open("rb") as handle:
        return openpyxl.load_workbook(io.BytesIO(handle.read()))


@pytest.fixture
def hunan_rows(world, cycle):
    emergency = CollectiveFactory(unit=world.wuling, code="wl0001", name="武陵区人民医院急诊科")
    TitleFactory(collective=emergency, level="PROVINCIAL", year=2022, name="湖南省青年文明号")
    RegistrationFactory(
        cycle=cycle,
        collective=emergency,
        state=S.APPROVED,
        prior_titles=[{"level": "CITY", "year": 2019, "name": "常德市青年文明号"}],
    )
    RegistrationFactory(
        cycle=cycle,
        collective=CollectiveFactory(unit=world.changde, code="cd0001", name='=HYPERLINK("x")'),
        state=S.SUBMITTED,
    )
    # Not registered: neither is listed (004: 没有网上报备的不予以评选表彰).
    for code, state in (("cd0002", S.DRAFT), ("cd0003", S.CANCELLED)):
        RegistrationFactory(
            cycle=cycle,
            collective=CollectiveFactory(unit=world.changde, code=code, name=f"未报备{code}"),
            state=state,
        )
    RegistrationFactory(
        cycle=cycle,
        collective=CollectiveFactory(unit=world.guangzhou, code="gz0001", name="广州某集体"),
        state=S.SUBMITTED,
    )


def test_export_runs_as_a_job_and_writes_the_table(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    client = login_as(world.users["hunan"])
    response = export(client, django_capture_on_commit_callbacks, cycle=cycle.pk)
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 2, 2)
    assert job.output_name == f"申报集体汇总表-{cycle.name}-湖南省团委.xlsx"
    # By unit (name order here: no official order), then name; titles from the register only
    # (the typed 常德市青年文明号 claim is not printed); a text cell with no stray apostrophe.
    assert sheet_rows(job) == [
        HEADER,
        (1, '=HYPERLINK("x")', "常德市团委", None, "是", "报备集体（待审核）"),
        (
            2,
            "武陵区人民医院急诊科",
            "武陵区团委",
            "湖南省青年文明号（省级，2022 年）",
            "是",
            "创建集体",
        ),
    ]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'href="/jobs/{job.pk}/download/"' in page


def test_export_of_a_lower_admin_covers_its_subtree_only(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    export(login_as(world.users["wuling"]), django_capture_on_commit_callbacks, cycle=cycle.pk)
    rows = sheet_rows(Job.objects.get())
    assert [row[1] for row in rows[1:]] == ["武陵区人民医院急诊科"]


def test_export_narrowed_to_a_unit(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    client = login_as(world.users["hunan"])
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk, unit=world.changde.pk)
    rows = sheet_rows(Job.objects.get())
    assert [row[1] for row in rows[1:]] == ['=HYPERLINK("x")', "武陵区人民医院急诊科"]


def test_export_cycle_of_another_province_is_404(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    response = export(
        login_as(world.users["guangdong"]), django_capture_on_commit_callbacks, cycle=cycle.pk
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_export_unit_outside_subtree_is_404(
    world, login_as, cycle, django_capture_on_commit_callbacks
):
    response = export(
        login_as(world.users["hunan"]),
        django_capture_on_commit_callbacks,
        cycle=cycle.pk,
        unit=world.guangzhou.pk,
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_export_job_of_one_province_is_hidden_from_another(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    export(login_as(world.users["hunan"]), django_capture_on_commit_callbacks, cycle=cycle.pk)
    job = Job.objects.get()
    client = login_as(world.users["guangdong"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_export_guangdong_cycle_lists_guangdong_only(
    world, login_as, django_capture_on_commit_callbacks
):
    gd_cycle = CycleFactory(unit=world.guangdong)
    RegistrationFactory(
        cycle=gd_cycle,
        collective=CollectiveFactory(unit=world.guangzhou, code="gz7", name="广州七"),
        state=S.SUBMITTED,
    )
    export(
        login_as(world.users["guangdong"]), django_capture_on_commit_callbacks, cycle=gd_cycle.pk
    )
    assert [row[1] for row in sheet_rows(Job.objects.get())[1:]] == ["广州七"]


def test_export_form_needs_a_cycle(world, login_as):
    response = login_as(world.users["hunan"]).post("/registrations/export/", {})
    assert response.status_code == 400
    assert '<small class="error">' in response.content.decode()
    assert not Job.objects.exists()


def test_export_job_audited(world, login_as, cycle, django_capture_on_commit_callbacks):
    from qnwmh.audit.models import AuditEntry

    export(login_as(world.users["hunan"]), django_capture_on_commit_callbacks, cycle=cycle.pk)
    assert AuditEntry.objects.filter(action="job.start", actor=world.users["hunan"]).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_outside_a_transaction_writes_the_table_and_its_progress(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks, kind, monkeypatch
):
    """In a worker the job runs outside any transaction: on PostgreSQL it then reads in a
    transaction of its own and reports progress from the writer thread (write_table)."""
    from django.db import connection

    from qnwmh.core import tables

    reported = []
    write_while_reading = tables.write_while_reading

    def recorded(chunks, write_chunk, progress, total, report_in_writer=False):
        def progress_seen(done, total=None):
            reported.append((done, report_in_writer, connection.in_atomic_block))
            progress(done, total)

        write_while_reading(chunks, write_chunk, progress_seen, total, report_in_writer)

    monkeypatch.setattr(tables, "write_while_reading", recorded)
    client = login_as(world.users["hunan"])
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk, format=kind)
    job = Job.objects.get()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 2, 2)
    in_writer = connection.vendor == "postgresql"
    # From the writer thread, whose own connection is in no transaction; or from this one.
    assert reported == ([(2, True, False)] if in_writer else [(2, False, False)] * 2)
    rows = csv_rows(job) if kind == "csv" else sheet_rows(job)
    assert [row[2] for row in rows[1:]] == ["常德市团委", "武陵区团委"]


def csv_rows(job: Job) -> list[list[str]]:
    with job.output_file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Chinese right
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_csv_export_has_the_same_columns_rows_and_escaping(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    client = login_as(world.users["hunan"])
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk, format="csv")
    job = Job.objects.get()
    assert (job.status, job.done, job.total, job.params["format"]) == (
        JobStatus.DONE,
        2,
        2,
        "csv",
    )
    assert job.output_name == f"申报集体汇总表-{cycle.name}-湖南省团委.csv"
    # The CSV keeps the formula guard (issue 11 item 7); no title lines: it is data.
    assert csv_rows(job) == [
        list(HEADER),
        ["1", '\'=HYPERLINK("x")', "常德市团委", "", "是", "报备集体（待审核）"],
        [
            "2",
            "武陵区人民医院急诊科",
            "武陵区团委",
            "湖南省青年文明号（省级，2022 年）",
            "是",
            "创建集体",
        ],
    ]
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in response["Content-Disposition"]


def test_csv_export_of_a_lower_admin_covers_its_subtree_only(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    client = login_as(world.users["wuling"])
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk, format="csv")
    assert [row[1] for row in csv_rows(Job.objects.get())[1:]] == ["武陵区人民医院急诊科"]


def test_csv_cells_that_need_quoting_round_trip(
    world, login_as, cycle, django_capture_on_commit_callbacks
):
    names = ['甲,"乙"', "+86 丙", "-丁\n戊", "@己", "\t庚"]
    for number, name in enumerate(names):
        RegistrationFactory(
            cycle=cycle,
            collective=CollectiveFactory(unit=world.wuling, code=f"q{number}", name=name),
            state=S.SUBMITTED,
        )
    client = login_as(world.users["hunan"])
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk, format="csv")
    written = {row[1] for row in csv_rows(Job.objects.get())[1:]}
    assert written == {safe_cell(name) for name in names}
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for cell in written)


def test_unknown_format_falls_back_to_excel(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    client = login_as(world.users["hunan"])
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk, format="pdf")
    job = Job.objects.get()
    assert job.output_name.endswith(".xlsx") and len(sheet_rows(job)) == 3


def test_xlsx_prints_as_the_seeds_table(
    world, login_as, cycle, hunan_rows, django_capture_on_commit_callbacks
):
    """004 附件2 / 003 附件2: the title with the 届次, 单位名称（盖章） and 报送日期; A4 landscape,
    fitted to the width, header rows repeated, borders, wrapping, a CJK font, widths."""
    client = login_as(world.users["hunan"])
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk)
    sheet = workbook_of(Job.objects.get()).active
    assert sheet["A1"].value == f"{cycle.name}申报集体汇总表"
    assert sheet["A2"].value.startswith("单位名称（盖章）：湖南省团委")
    assert "报送日期：" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == list(HEADER)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$3:$3"  # the column headers on every page
    cell = sheet["B5"]
    assert cell.font.name == "宋体" and cell.border.left.style == "thin"
    assert cell.alignment.wrap_text
    assert sheet.column_dimensions["B"].width >= 20


def test_export_page_offers_excel_and_csv(world, login_as):
    page = login_as(world.users["hunan"]).get("/registrations/export/").content.decode()
    assert 'name="format" value="xlsx"' in page and "导出 Excel" in page
    assert 'name="format" value="csv"' in page and "导出 CSV" in page


def _export_queries(world, cycle, kind: str) -> int:
    from qnwmh.core import tables
    from qnwmh.registrations import exports

    actor = world.users["hunan"]
    rows = exports.summary_rows(actor, cycle, world.hunan)

    def run():
        with tempfile.NamedTemporaryFile() as out:
            tables.write_table(out.name, kind, exports.SummaryTable(), rows, lambda *a: None, 0)

    return count_queries(run)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_export_query_count_does_not_grow_with_rows(world, cycle, kind):
    """Rows, titles and units are read per chunk of 2,000: 1 row and 30 rows (over several
    units, with titles) cost the same queries."""
    first = CollectiveFactory(unit=world.wuling, code="c0")
    TitleFactory(collective=first, level="CITY", year=2020)
    RegistrationFactory(cycle=cycle, collective=first, state=S.SUBMITTED)
    one = _export_queries(world, cycle, kind)
    for number in range(1, 30):
        unit = (world.wuling, world.changde, world.hunan)[number % 3]
        collective = CollectiveFactory(unit=unit, code=f"c{number}")
        TitleFactory(collective=collective, level="COUNTY", year=2018)
        RegistrationFactory(cycle=cycle, collective=collective, state=S.SUBMITTED)
    assert _export_queries(world, cycle, kind) == one


def test_export_reads_in_chunks_and_keeps_order_across_them(world, cycle):
    from qnwmh.registrations import exports

    for number in range(7):
        RegistrationFactory(
            cycle=cycle,
            collective=CollectiveFactory(unit=world.wuling, name=f"集体{number}"),
            state=S.APPROVED,
        )
    rows = exports.summary_rows(world.users["hunan"], cycle, world.hunan)
    chunks = list(exports.SummaryTable().chunks(rows, chunk_size=3))
    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    assert [row[:2] for chunk in chunks for row in chunk] == [[n + 1, f"集体{n}"] for n in range(7)]


def test_summary_titles_are_written_as_eligibility_writes_them():
    from qnwmh.registrations import exports
    from qnwmh.registrations.eligibility import title_texts

    titles = [
        {"level": "NATIONAL", "year": 2018, "name": ""},
        {"level": "PROVINCIAL", "year": 2019, "name": "湖南省青年文明号"},
        {"level": "CITY", "year": 2020, "name": "=常德市青年文明号"},
    ]
    held = [[t["level"], t["year"], t["name"]] for t in titles]
    written = exports.SummaryTable().titles(json.dumps(held))
    assert written == "；".join(title_texts(titles))


def test_summary_titles_on_record_come_oldest_first_without_revoked_ones(world, cycle):
    from django.utils import timezone

    from qnwmh.registrations import exports

    collective = CollectiveFactory(unit=world.wuling, code="t0")
    TitleFactory(collective=collective, level="CITY", year=2021, name="乙")
    TitleFactory(collective=collective, level="COUNTY", year=2017, name="甲")
    TitleFactory(collective=collective, level="NATIONAL", year=2019, revoked_at=timezone.now())
    RegistrationFactory(cycle=cycle, collective=collective, state=S.SUBMITTED)
    rows = exports.summary_rows(world.users["hunan"], cycle, world.hunan)
    with translation.override("zh-hans"):
        [[row]] = exports.SummaryTable().chunks(rows)
    assert row[3] == "甲（区县级，2017 年）；乙（市级，2021 年）"


def test_excel_and_csv_exports_write_equal_rows_with_formula_cells_neutralised(
    world, login_as, cycle, django_capture_on_commit_callbacks
):
    names = ["=1+1", "+86 丙", "-丁", "@己", "\t庚", "普通集体"]
    for number, name in enumerate(names):
        collective = CollectiveFactory(unit=world.wuling, code=f"f{number}", name=name)
        TitleFactory(collective=collective, level="CITY", year=2020, name=f"={number}")
        RegistrationFactory(
            cycle=cycle,
            collective=collective,
            state=S.SUBMITTED,
            prior_titles=[{"level": "COUNTY", "year": 2018, "name": "-县级称号"}],
        )
    client = login_as(world.users["hunan"])
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk, format="csv")
    export(client, django_capture_on_commit_callbacks, cycle=cycle.pk, format="xlsx")
    csv_job, excel_job = Job.objects.order_by("pk")
    written = csv_rows(csv_job)
    # The same rows; the CSV guarded, the xlsx text as typed (a text cell is no formula).
    assert written == [
        [safe_cell("" if cell is None else str(cell)) for cell in row]
        for row in sheet_rows(excel_job)
    ]
    assert sorted(row[1] for row in written[1:]) == sorted(safe_cell(name) for name in names)
    assert sorted(row[1] for row in sheet_rows(excel_job)[1:]) == sorted(names)
    # Only the register's title; the typed claim (-县级称号) is not printed.
    assert sorted(row[3] for row in written[1:]) == sorted(
        f"'={n}（市级，2020 年）" for n in range(len(names))
    )
    triggers = ("=", "+", "-", "@", "\t")
    assert not any(cell.startswith(triggers) for row in written for cell in row)
