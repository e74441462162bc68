"""申报集体汇总表 (summary of applying collectives, seeds 003/004): one row per registration of a
cycle in a unit's subtree — 集体名称, 集体编码, 归口单位, 所获称号及时间, 是否网上报备, 状态 — as
Excel or as CSV.

Written by a background job (qnwmh.jobs) so a national export does not hold a request open.
The job re-scopes everything through the starter's own `visible_to`, so its parameters cannot
widen what it reads. Every cell goes through safe_cell (no formula injection from a
collective's name), in both formats.

Speed and memory (docs/performance.md §6–8): one query reads every cell's data as plain
tuples in chunks (`values_list` over `iterator`, a server-side cursor on PostgreSQL, inside a
transaction of its own there), the titles on record aggregated in it, so no model instances are
built and no second query is made; labels (states, 是/否, title cells) are made once per export
and looked up per row. xlsxwriter's constant_memory mode flushes each row as it goes and the
CSV is written to a temporary file chunk by chunk, so memory stays flat however many
collectives there are.
"""

import codecs
import csv
import itertools
import json
import queue
import tempfile
import threading
from collections.abc import Iterable, Iterator

import xlsxwriter
from django import db
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Func, TextField
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext as _

from qnwmh.collectives.models import Title
from qnwmh.core.spreadsheets import safe_cell, safe_text
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.jobs.domain import attach_output, job_handler
from qnwmh.registrations.enums import REGISTERED, RegistrationState
from qnwmh.registrations.models import Registration
from qnwmh.units.models import Unit
from qnwmh.units.paths import subtree_filter

CHUNK = 5000
WIDTHS = (36, 14, 20, 48, 14, 16)
XLSX, CSV = "xlsx", "csv"
FORMATS = (XLSX, CSV)
# The columns read per registration, in this order (see SummaryTable.rows). Titles on record and
# declared titles both come as JSON text: most are NULL or "[]", and the rest repeat.
COLUMNS = ("collective__name", "collective__code", "unit__name", "held_text", "prior_text", "state")
# Title cells memoised per export; cleared when full, so memory stays flat.
TITLE_CELLS_KEPT = 20_000


class HeldTitles(Func):
    """The titles on record of a registration's collective, oldest first, as JSON text
    `[[level, year, name], …]` (NULL when none): a correlated subquery in the main query, so
    the titles cost no second round trip. PostgreSQL orders inside the aggregate; SQLite before
    3.44 cannot, and aggregates an ordered subquery instead."""

    output_field = TextField()
    template = (
        "(SELECT json_group_array(json_array(t.level, t.year, t.name)) FROM"
        " (SELECT level, year, name FROM {table} WHERE collective_id = %(expressions)s"
        " AND revoked_at IS NULL ORDER BY year, id) t)"
    ).replace("{table}", Title._meta.db_table)

    def as_postgresql(self, compiler, connection, **extra):
        template = (
            "(SELECT json_agg(json_build_array(level, year, name) ORDER BY year, id)::text"
            " FROM {table} WHERE collective_id = %(expressions)s AND revoked_at IS NULL)"
        ).replace("{table}", Title._meta.db_table)
        return self.as_sql(compiler, connection, template=template, **extra)


def summary_rows(actor, cycle: Cycle, unit: Unit):
    """The registrations the table lists, in unit and code order, as value tuples."""
    return (
        Registration.objects.visible_to(actor)
        .filter(cycle=cycle, **subtree_filter("unit_path", unit.path))
        .order_by("unit_path", "collective__code", "id")
        .annotate(
            prior_text=Cast("prior_titles", TextField()), held_text=HeldTitles("collective_id")
        )
        .values_list(*COLUMNS)
    )


def headers() -> list[str]:
    return [
        _("Collective name"),
        _("Collective code"),
        _("Managing unit"),
        _("Titles held and when"),
        _("Registered online"),
        _("State"),
    ]


class SummaryTable:
    """Turns value tuples of `summary_rows` into the table's cells, chunk by chunk. The texts that
    repeat (state labels, 是/否, title cells) are made once and then looked up: the per-row work
    is a few dict lookups and safe_text on the free-text cells."""

    def __init__(self):
        yes, no = _("Yes"), _("No")
        self.states = {value: str(label) for value, label in RegistrationState.choices}
        self.registered = {value: yes if value in REGISTERED else no for value in self.states}
        # The pieces of eligibility.title_texts, translated once (it looks them up per title).
        self.levels = {value: str(label) for value, label in Level.choices}
        self.title_pattern = _("%(name)s (%(level)s, %(year)s)")
        self.default_title = _("Youth Civilization Title")
        self.title_cells: dict[tuple, str] = {}

    def chunks(self, rows: Iterable[tuple], chunk_size: int = CHUNK) -> Iterator[list[list]]:
        """Lists of table rows, read with one query (a server-side cursor on PostgreSQL)."""
        if hasattr(rows, "iterator"):
            rows = rows.iterator(chunk_size=chunk_size)
        for chunk in itertools.batched(rows, chunk_size):
            yield self.rows(chunk)

    def rows(self, chunk: tuple[tuple, ...]) -> list[list]:
        """The table rows of a chunk of `summary_rows` tuples."""
        states, registered, titles = self.states, self.registered, self.titles
        return [
            [
                safe_text(name),
                safe_text(code),
                safe_text(unit),
                "" if held is None and prior == "[]" else titles(held, prior),
                registered[state],
                states[state],
            ]
            for name, code, unit, held, prior, state in chunk
        ]

    def titles(self, held_text: str | None, prior_text: str | None) -> str:
        """The 所获称号及时间 cell (safe) of the titles on record and the declared ones, both as
        JSON text; memoised, as a few combinations make up most rows."""
        key = (held_text, prior_text)
        cell = self.title_cells.get(key)
        if cell is None:
            if len(self.title_cells) >= TITLE_CELLS_KEPT:
                self.title_cells.clear()
            held = json.loads(held_text) if held_text else ()
            prior = json.loads(prior_text) if prior_text else ()
            cell = self.title_cells[key] = self.title_cell(held, prior)
        return cell

    def title_cell(self, held: Iterable, prior: Iterable[dict]) -> str:
        """Titles on record (oldest first), then those the profile declares, each once, as
        eligibility.title_texts writes them; a safe cell."""
        keys = [
            *((level, year, name or "") for level, year, name in held),
            *((t["level"], t["year"], t.get("name") or "") for t in prior),
        ]
        texts = [
            self.title_pattern
            % {
                "name": name or self.default_title,
                "level": self.levels.get(level, level),
                "year": year,
            }
            for level, year, name in dict.fromkeys(keys)
        ]
        return safe_text("；".join(texts))


@job_handler
def export_summary(job, progress) -> dict:
    """Job handler: params {"cycle": id, "unit": id, "format": "xlsx" | "csv"} (xlsx when
    absent); the actor is whoever started the job."""
    actor = job.created_by
    cycle = Cycle.objects.visible_to(actor).get(pk=job.params["cycle"])
    unit = Unit.objects.visible_to(actor).get(pk=job.params["unit"])
    kind = job.params.get("format") if job.params.get("format") in FORMATS else XLSX
    with translation.override("zh-hans"):
        rows = summary_rows(actor, cycle, unit)
        total = rows.count()
        progress(0, total)
        with tempfile.NamedTemporaryFile(suffix=f".{kind}") as output:
            write_table(output.name, kind, rows, progress, total)
            name = _("Summary of applying collectives-%(cycle)s-%(unit)s") % {
                "cycle": cycle.name,
                "unit": unit.name,
            }
            with open(output.name, "rb") as handle:
                attach_output(job, f"{name}.{kind}", File(handle))
        return {"summary": _("%(count)d collectives exported.") % {"count": total}, "problems": []}


def write_table(path: str, kind: str, rows, progress, total: int) -> None:
    """The table of `rows` (summary_rows) as `kind`, progress reported once per chunk.

    On PostgreSQL the rows are read inside a transaction of their own: outside one, Django
    declares the server-side cursor WITH HOLD, and PostgreSQL then computes the whole result
    before the first row arrives, so the writer would wait for all of it (1.4 s of 4.5 for
    60,000 rows). Inside, the first chunk comes at once. The job's progress is then written
    from the writer thread, whose own connection commits each update, so the job page still
    shows it while the read is under way. Inside a caller's transaction (tests), as before."""
    write = write_xlsx if kind == XLSX else write_csv
    chunks = SummaryTable().chunks(rows)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        write(path, chunks, progress, total)
        return
    with transaction.atomic():
        write(path, chunks, progress, total, report_in_writer=True)


def write_xlsx(
    path: str, chunks: Iterable[list[list]], progress, total: int, report_in_writer=False
) -> None:
    """The table as one Excel sheet; progress is reported once per chunk."""
    workbook = xlsxwriter.Workbook(
        path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(_("Summary of applying collectives")[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    sheet.write_row(0, 0, [safe_cell(h) for h in headers()], bold)
    sheet.freeze_panes(1, 0)
    rows_written = itertools.count(1)

    def write_chunk(chunk: list[list]) -> None:
        # Every cell is text: write_string skips write_row's guess of each value's type (a
        # quarter of the writer's time); an empty cell is left out, as write_row leaves it.
        write = sheet.write_string
        for row, number in zip(chunk, rows_written, strict=False):  # chunk first: no number lost
            for column, text in enumerate(row):
                if text:
                    write(number, column, text)

    write_while_reading(chunks, write_chunk, progress, total, report_in_writer)
    workbook.close()


def write_csv(
    path: str, chunks: Iterable[list[list]], progress, total: int, report_in_writer=False
) -> None:
    """The table as CSV in UTF-8 with a BOM (without it Excel reads Chinese as GBK and garbles
    it), CRLF line ends, every cell quoted only when it must be."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(codecs.BOM_UTF8.decode())
        writer = csv.writer(out)
        writer.writerow([safe_cell(h) for h in headers()])
        write_while_reading(chunks, writer.writerows, progress, total, report_in_writer)


def write_while_reading(
    chunks: Iterable[list[list]], write_chunk, progress, total: int, report_in_writer=False
) -> None:
    """Write each chunk in a second thread while this one reads the next: the database's share
    of the time (spent waiting on the socket, without the GIL) overlaps the writer's. At most
    three chunks are in memory: one being written, one waiting, one being read. The reading
    stays in this thread (connections are per thread); so does the job's progress, unless
    `report_in_writer` (this thread's connection is in a read transaction, see write_table):
    the writer then reports each chunk written on its own connection, closed at the end."""
    waiting: queue.Queue = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def drain() -> None:
        try:
            while (item := waiting.get()) is not None:
                if not failed:
                    try:
                        write_chunk(item[0])
                        if report_in_writer:
                            progress(item[1], total)
                    except BaseException as exc:  # re-raised in the reading thread
                        failed.append(exc)
        finally:
            if report_in_writer:
                db.connection.close()

    writer = threading.Thread(target=drain, name="export-writer", daemon=True)
    writer.start()
    done = 0
    try:
        for chunk in chunks:
            if failed:
                break
            done += len(chunk)
            waiting.put((chunk, done))
            if not report_in_writer:
                progress(done, total)
    finally:
        waiting.put(None)
        writer.join()
    if failed:
        raise failed[0]
    if not report_in_writer:
        progress(done, total)


def export_format(request) -> str:
    """The format the export form asked for (its submit button's value); Excel by default."""
    asked = request.POST.get("format")
    return asked if asked in FORMATS else XLSX
