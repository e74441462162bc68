"""Tables written as Excel (xlsx) or CSV, streamed: the one writer of every 汇总表.

A table is defined once, as a subclass of `Table`: its columns (header text, width, the format
of their cells), optionally a title row, header lines and a print setup, and `rows()`, which
turns a chunk of source values into rows of cells. `write_table` then reads the source in
chunks (a queryset through one server-side cursor) and writes it in a second thread, reporting
progress once per chunk — so a job's export takes constant memory however long the table is:

    class QuotaTable(Table):
        sheet_name = gettext_lazy("Quotas")
        columns = (Column(gettext_lazy("Unit"), 30), Column(gettext_lazy("Required"), 10))

        def rows(self, chunk):
            return [[safe_text(unit), required] for unit, required in chunk]

    write_table(path, XLSX, QuotaTable(), quotas.values_list("unit__name", "required"), …)

Formula injection (OWASP "CSV injection"): `rows()` answers cells already guarded — the default
one passes every value through `safe_cell`; a table that knows which cells are free text guards
only those (`safe_text`), which is what keeps a national export fast. Header, title and header
lines are guarded here.

Speed and memory (docs/performance.md §6–8): xlsxwriter's constant_memory mode flushes each
row as it goes; the CSV is written chunk by chunk; at most three chunks are in memory.
"""

import codecs
import csv
import itertools
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import xlsxwriter
from django import db
from django.db import connection, transaction

from qnwmh.core.spreadsheets import safe_cell, safe_row

XLSX, CSV = "xlsx", "csv"
FORMATS = (XLSX, CSV)
CHUNK = 5000
A4 = 9  # xlsxwriter's paper index
Progress = Callable[..., None]  # progress(done, total)


@dataclass(frozen=True)
class Column:
    """A column: its header cell, its width in characters (None: Excel's default), whether its
    cells are all text (written as strings without a look at their type), and the xlsxwriter
    format of its data cells (None: none, and empty cells are left out)."""

    header: str
    width: float | None = None
    text: bool = True
    cell_format: Mapping | None = None


class Table:
    """The definition of one table. Subclass it and set `columns`; override `rows()` when the
    source is not already rows of cells. What is per export (a title with the 届次, the header
    lines of the seed's table) may be set on the instance."""

    columns: Sequence[Column] = ()
    sheet_name: str = ""
    # Above the column headers, each a row merged across the table: the title (bold, larger)
    # and the seed's header lines (单位名称（盖章）, 报送日期 …). Excel only: CSV is data.
    title: str = ""
    header_lines: Sequence[str] = ()
    header_format: Mapping = MappingProxyType({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    title_format: Mapping = MappingProxyType({"bold": True, "font_size": 16, "align": "center"})
    line_format: Mapping = MappingProxyType({})
    # Print setup: A4 landscape, fitted to the page width; the column headers on every page.
    landscape: bool = False
    repeat_header: bool = False
    freeze_header: bool = True
    chunk_size: int = CHUNK
    # Printed tables (issue 11 item 7): a CJK font name on every cell (Excel's default Calibri
    # has no Chinese), thin borders and wrapped text on the data cells, column widths from the
    # longest text (a CJK character counts two, capped at `max_width` and then wrapped).
    font_name: str = ""
    borders: bool = False
    fit_widths: bool = False
    max_width: float = 50
    # False: `rows()` answers the cells as they are; the CSV writer guards them against
    # formulas and the Excel writer writes them as text, which needs no guard (a text cell is
    # never a formula), so no stray apostrophe shows in the sheet (issue 11 item 7).
    guarded_rows: bool = True

    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def rows(self, chunk: tuple) -> list[list]:
        """The rows of cells (formula-guarded) of a chunk of source values."""
        return [safe_row(values) for values in chunk]

    def chunks(self, source: Iterable, chunk_size: int | None = None) -> Iterator[list[list]]:
        """Lists of rows, the source read once (a queryset: one query, a server-side cursor on
        PostgreSQL) and converted chunk by chunk."""
        chunk_size = chunk_size or self.chunk_size
        if hasattr(source, "iterator"):
            source = source.iterator(chunk_size=chunk_size)
        for chunk in itertools.batched(source, chunk_size):
            yield self.rows(chunk)


def write_table(
    path: str, kind: str, table: Table, source: Iterable, progress: Progress, total: int
) -> None:
    """`table` of `source` written to `path` as `kind` (XLSX or CSV), progress reported once per
    chunk.

    On PostgreSQL a queryset is read inside a transaction of its own: outside one, Django
    declares the server-side cursor WITH HOLD, and PostgreSQL then computes the whole result
    before the first row arrives, so the writer would wait for all of it (1.4 s of 4.5 for
    60,000 rows). Inside, the first chunk comes at once. The job's progress is then written
    from the writer thread, whose own connection commits each update, so the job page still
    shows it while the read is under way. Inside a caller's transaction (tests), as before."""
    write = write_xlsx if kind == XLSX else write_csv
    chunks = table.chunks(source)
    reads_database = hasattr(source, "iterator")
    if not reads_database or connection.vendor != "postgresql" or connection.in_atomic_block:
        write(path, table, chunks, progress, total)
        return
    with transaction.atomic():
        write(path, table, chunks, progress, total, report_in_writer=True)


def write_xlsx(
    path: str,
    table: Table,
    chunks: Iterable[list[list]],
    progress: Progress,
    total: int,
    report_in_writer=False,
) -> None:
    """The table as one Excel sheet; progress is reported once per chunk."""
    workbook = xlsxwriter.Workbook(
        path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    if table.font_name:
        workbook.formats[0].set_font_name(table.font_name)
    sheet = workbook.add_worksheet(str(table.sheet_name)[:31] or None)
    header_row = _write_top(workbook, sheet, table)
    widths = [display_width(h) for h in table.headers()]
    if table.borders or table.font_name or table.fit_widths:
        write_chunk = _printed_writer(workbook, sheet, table, header_row + 1, widths)
    else:
        write_chunk = _chunk_writer(workbook, sheet, table.columns, first_row=header_row + 1)
    write_while_reading(chunks, write_chunk, progress, total, report_in_writer)
    if table.fit_widths:
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(width + 2, table.max_width))
    workbook.close()


def display_width(value) -> int:
    """Columns a text takes in a sheet: a CJK (wide) character two, any other one."""
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _with_font(table: Table, properties: Mapping) -> dict:
    found = dict(properties)
    if table.font_name:
        found.setdefault("font_name", table.font_name)
    return found


def _printed_writer(workbook, sheet, table: Table, first_row: int, widths: list[int]):
    """The writer of a printed table: every cell bordered and wrapped in the table's font, the
    widest text of each column remembered for `fit_widths`. Text cells are written as text,
    unguarded when the table's rows are (`guarded_rows` False): Excel reads no formula there."""
    properties = {"valign": "vcenter", "text_wrap": True}
    if table.borders:
        properties["border"] = 1
    text_format = workbook.add_format(_with_font(table, properties))
    numbers = itertools.count(first_row)
    plan = [
        (
            sheet.write_string if column.text else sheet.write,
            workbook.add_format(_with_font(table, {**properties, **column.cell_format}))
            if column.cell_format
            else text_format,
        )
        for column in table.columns
    ]

    def write_cells(chunk: list[list]) -> None:
        for row, number in zip(chunk, numbers, strict=False):
            for index, ((write, cell_format), value) in enumerate(zip(plan, row, strict=False)):
                if value is None or value == "":
                    sheet.write_blank(number, index, None, cell_format)
                    continue
                if isinstance(value, str):
                    sheet.write_string(number, index, value, cell_format)
                else:
                    write(number, index, value, cell_format)
                width = display_width(value)
                if width > widths[index]:
                    widths[index] = width

    return write_cells


def _write_top(workbook, sheet, table: Table) -> int:
    """Widths, print setup, the title and header lines and the column headers; the row of the
    column headers."""
    width = max(len(table.columns), 1)
    for column, spec in enumerate(table.columns):
        if spec.width is not None:
            sheet.set_column(column, column, spec.width)
    row = 0
    lines = [(table.title, table.title_format)] if table.title else []
    lines += [(line, table.line_format) for line in table.header_lines]
    for text, properties in lines:
        line_format = workbook.add_format(_with_font(table, properties))
        if width > 1:
            sheet.merge_range(row, 0, row, width - 1, safe_cell(str(text)), line_format)
        else:
            sheet.write_string(row, 0, safe_cell(str(text)), line_format)
        row += 1
    header_properties = _with_font(table, table.header_format)
    if table.borders:
        header_properties.update({"border": 1, "text_wrap": True, "align": "center"})
    header_format = workbook.add_format(header_properties)
    sheet.write_row(row, 0, [safe_cell(h) for h in table.headers()], header_format)
    if table.freeze_header:
        sheet.freeze_panes(row + 1, 0)
    if table.landscape:
        sheet.set_landscape()
        sheet.set_paper(A4)
        sheet.fit_to_pages(1, 0)
    if table.repeat_header:
        sheet.repeat_rows(row)
    return row


def _chunk_writer(workbook, sheet, columns: Sequence[Column], first_row: int):
    """The function that writes a chunk of rows below the previous chunk.

    A text column's cells go through write_string, which skips write()'s guess of each value's
    type (a quarter of the writer's time). An empty cell is left out unless its column has a
    format (a border, say), as write_row leaves it."""
    numbers = itertools.count(first_row)

    if all(column.text and not column.cell_format for column in columns):
        # Every column plain text (the exports so far): the fewest steps per cell, which is
        # most of the writer's time.
        def write_text(chunk: list[list]) -> None:
            write = sheet.write_string
            for row, number in zip(chunk, numbers, strict=False):  # chunk first: no number lost
                for column, text in enumerate(row):
                    if text:
                        write(number, column, text)

        return write_text

    plan = [
        (
            number,
            sheet.write_string if column.text else sheet.write,
            workbook.add_format(dict(column.cell_format)) if column.cell_format else None,
        )
        for number, column in enumerate(columns)
    ]
    blank = sheet.write_blank

    def write_cells(chunk: list[list]) -> None:
        for row, number in zip(chunk, numbers, strict=False):
            for (column, write, cell_format), value in zip(plan, row, strict=False):
                if value or value == 0:
                    write(number, column, value, cell_format)
                elif cell_format is not None:
                    blank(number, column, None, cell_format)

    return write_cells


def write_csv(
    path: str,
    table: Table,
    chunks: Iterable[list[list]],
    progress: Progress,
    total: int,
    report_in_writer=False,
) -> None:
    """The table as CSV in UTF-8 with a BOM (without it Excel reads Chinese as GBK and garbles
    it), CRLF line ends, every cell quoted only when it must be: the column headers and the
    rows (the title and header lines are for print, in the Excel file)."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(codecs.BOM_UTF8.decode())
        writer = csv.writer(out)
        writer.writerow([safe_cell(h) for h in table.headers()])
        if table.guarded_rows:
            write_rows = writer.writerows
        else:

            def write_rows(chunk: list[list]) -> None:
                writer.writerows(safe_row(row) for row in chunk)

        write_while_reading(chunks, write_rows, progress, total, report_in_writer)


def write_while_reading(
    chunks: Iterable[list[list]],
    write_chunk,
    progress: Progress,
    total: int,
    report_in_writer=False,
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
