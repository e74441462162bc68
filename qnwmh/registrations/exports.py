"""申报集体汇总表 (summary of applying collectives) exactly as seeds 004 附件2 / 003 附件2 lay it
out: a title line with the 届次, 单位名称（盖章） and 报送日期, then 序号, 集体名称, 归口单位,
所获称号及时间, 是否网上报备 and 状态 — one row per *registered* registration of a cycle in a unit's
subtree (not drafts, returns or cancels: 004 "没有网上报备的不予以评选表彰"), ordered by unit then
collective name. 所获称号及时间 comes from the title register only (titles.Title), never from
what a collective typed (issue 10 item 5). Printed as the seed's table: A4 landscape, fitted to
the width, the header rows on every page, borders, wrapping, a CJK font, widths from content.

Written by a background job (qnwmh.jobs) so a national export does not hold a request open.
The job re-scopes everything through the starter's own `visible_to`, so its parameters cannot
widen what it reads. The CSV guards every cell against formulas; the xlsx writes text cells as
text, which need no guard (issue 11 item 7).

Speed and memory (docs/performance.md §6–8): one query reads every cell's data as plain
tuples in chunks (`values_list` over `iterator`), the titles on record aggregated in it; labels
are made once per export and looked up per row. The writer streams (core/tables.py).
"""

import json
import tempfile
from collections.abc import Iterable

from django.core.files import File
from django.db.models import Func, TextField
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qnwmh.core.paths import subtree_filter
from qnwmh.core.tables import FORMATS, XLSX, Column, Table, write_table
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.jobs.domain import attach_output, job_handler
from qnwmh.registrations.enums import REGISTERED, RegistrationState
from qnwmh.registrations.models import Registration
from qnwmh.titles.models import Title
from qnwmh.units.models import Unit

# The columns read per registration, in this order (see SummaryTable.rows). Titles on record
# come as JSON text: most are NULL, and the rest repeat.
COLUMNS = ("collective__name", "unit__name", "held_text", "state")
# The CJK font of the printed tables (宋体 as the seed's forms; LibreOffice falls back to a
# Noto CJK font where SimSun is missing).
PRINT_FONT = "宋体"
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


def chinese_date(day) -> str:
    """报送日期 as the seeds write dates: 2026年12月4日."""
    return f"{day.year}年{day.month}月{day.day}日"


def unit_order(prefix: str = "") -> list[str]:
    """Units in their official order when the unit tree keeps one (a `sort_order` field), else
    by name (seeds 000 附件1 lists the cities in the province's own order)."""
    fields = {field.name for field in Unit._meta.get_fields()}
    ordered = ["sort_order"] if "sort_order" in fields else []
    return [f"{prefix}{name}" for name in (*ordered, "name")]


def summary_rows(actor, cycle: Cycle, unit: Unit):
    """The registered registrations the table lists, by unit then collective name."""
    return (
        Registration.objects.visible_to(actor)
        .filter(cycle=cycle, state__in=REGISTERED, **subtree_filter("unit_path", unit.path))
        .order_by(*unit_order("unit__"), "unit_id", "collective__name", "id")
        .annotate(held_text=HeldTitles("collective_id"))
        .values_list(*COLUMNS)
    )


class SummaryTable(Table):
    """The table: its columns, and the value tuples of `summary_rows` turned into its cells. The
    texts that repeat (state labels, 是/否, title cells) are made once and then looked up: the
    per-row work is a few dict lookups and safe_text on the free-text cells."""

    sheet_name = gettext_lazy("Summary of applying collectives")
    columns = (
        Column(gettext_lazy("No."), text=False, cell_format={"align": "center"}),
        Column(gettext_lazy("Collective name")),
        Column(gettext_lazy("Managing unit")),
        Column(gettext_lazy("Titles held and when")),
        Column(gettext_lazy("Registered online"), cell_format={"align": "center"}),
        Column(gettext_lazy("State"), cell_format={"align": "center"}),
    )
    landscape = repeat_header = borders = fit_widths = True
    font_name = PRINT_FONT
    guarded_rows = False

    def __init__(self, cycle: Cycle | None = None, unit: Unit | None = None, date=None):
        if cycle is not None:
            self.title = _("%(cycle)s: summary of applying collectives") % {"cycle": cycle.name}
        if unit is not None:
            self.header_lines = [
                _("Unit (seal): %(unit)s        Date submitted: %(date)s")
                % {"unit": unit.name, "date": date or ""}
            ]
        self.number = 0
        yes, no = _("Yes"), _("No")
        self.states = {value: str(label) for value, label in RegistrationState.choices}
        self.registered = {value: yes if value in REGISTERED else no for value in self.states}
        # The pieces of eligibility.title_texts, translated once (it looks them up per title).
        self.levels = {value: str(label) for value, label in Level.choices}
        self.title_pattern = _("%(name)s (%(level)s, %(year)s)")
        self.default_title = _("Youth Civilization Title")
        self.title_cells: dict[tuple, str] = {}

    def rows(self, chunk: tuple[tuple, ...]) -> list[list]:
        """The table rows of a chunk of `summary_rows` tuples, numbered on (序号). Unguarded:
        the CSV writer guards them, the xlsx needs no guard (guarded_rows False)."""
        states, registered, titles = self.states, self.registered, self.titles
        first = self.number
        self.number += len(chunk)
        return [
            [
                number,
                name,
                unit,
                "" if held is None else titles(held),
                registered[state],
                states[state],
            ]
            for number, (name, unit, held, state) in enumerate(chunk, start=first + 1)
        ]

    def titles(self, held_text: str | None) -> str:
        """The 所获称号及时间 cell of the titles on record (JSON text); memoised, as a few
        combinations make up most rows."""
        cell = self.title_cells.get(held_text)
        if cell is None:
            if len(self.title_cells) >= TITLE_CELLS_KEPT:
                self.title_cells.clear()
            held = json.loads(held_text) if held_text else ()
            cell = self.title_cells[held_text] = self.title_cell(held)
        return cell

    def title_cell(self, held: Iterable) -> str:
        """Titles on record (oldest first), each once, as eligibility.title_texts writes them."""
        keys = [(level, year, name or "") for level, year, name in held]
        texts = [
            self.title_pattern
            % {
                "name": name or self.default_title,
                "level": self.levels.get(level, level),
                "year": year,
            }
            for level, year, name in dict.fromkeys(keys)
        ]
        return "；".join(texts)


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
            table = SummaryTable(cycle, unit, chinese_date(timezone.localdate()))
            write_table(output.name, kind, table, rows, progress, total)
            name = _("Summary of applying collectives-%(cycle)s-%(unit)s") % {
                "cycle": cycle.name,
                "unit": unit.name,
            }
            with open(output.name, "rb") as handle:
                attach_output(job, f"{name}.{kind}", File(handle))
        return {"summary": _("%(count)d collectives exported.") % {"count": total}, "problems": []}


def export_format(request) -> str:
    """The format the export form asked for (its submit button's value); Excel by default."""
    asked = request.POST.get("format")
    return asked if asked in FORMATS else XLSX
