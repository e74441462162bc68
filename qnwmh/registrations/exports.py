"""申报集体汇总表 (summary of applying collectives, seeds 003/004): one row per registration of a
cycle in a unit's subtree — 集体名称, 集体编码, 归口单位, 所获称号及时间, 是否网上报备, 状态 — as
Excel or as CSV, written by the shared table writer (qnwmh/core/tables.py).

Written by a background job (qnwmh.jobs) so a national export does not hold a request open.
The job re-scopes everything through the starter's own `visible_to`, so its parameters cannot
widen what it reads. Every cell goes through safe_cell (no formula injection from a
collective's name), in both formats.

Speed and memory (docs/performance.md §6–8): one query reads every cell's data as plain
tuples in chunks (`values_list` over `iterator`, a server-side cursor on PostgreSQL, inside a
transaction of its own there), the titles on record aggregated in it, so no model instances are
built and no second query is made; labels (states, 是/否, title cells) are made once per export
and looked up per row. The writer streams (core/tables.py), so memory stays flat however many
collectives there are.
"""

import json
import tempfile
from collections.abc import Iterable

from django.core.files import File
from django.db.models import Func, TextField
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qnwmh.core.paths import subtree_filter
from qnwmh.core.spreadsheets import safe_text
from qnwmh.core.tables import FORMATS, XLSX, Column, Table, write_table
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.jobs.domain import attach_output, job_handler
from qnwmh.registrations.enums import REGISTERED, RegistrationState
from qnwmh.registrations.models import Registration
from qnwmh.titles.models import Title
from qnwmh.units.models import Unit

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


class SummaryTable(Table):
    """The table: its columns, and the value tuples of `summary_rows` turned into its cells. The
    texts that repeat (state labels, 是/否, title cells) are made once and then looked up: the
    per-row work is a few dict lookups and safe_text on the free-text cells."""

    sheet_name = gettext_lazy("Summary of applying collectives")
    columns = (
        Column(gettext_lazy("Collective name"), 36),
        Column(gettext_lazy("Collective code"), 14),
        Column(gettext_lazy("Managing unit"), 20),
        Column(gettext_lazy("Titles held and when"), 48),
        Column(gettext_lazy("Registered online"), 14),
        Column(gettext_lazy("State"), 16),
    )

    def __init__(self):
        yes, no = _("Yes"), _("No")
        self.states = {value: str(label) for value, label in RegistrationState.choices}
        self.registered = {value: yes if value in REGISTERED else no for value in self.states}
        # The pieces of eligibility.title_texts, translated once (it looks them up per title).
        self.levels = {value: str(label) for value, label in Level.choices}
        self.title_pattern = _("%(name)s (%(level)s, %(year)s)")
        self.default_title = _("Youth Civilization Title")
        self.title_cells: dict[tuple, str] = {}

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
            write_table(output.name, kind, SummaryTable(), rows, progress, total)
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
