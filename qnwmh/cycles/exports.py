"""名额分配表 (seeds 000 附件1 "各地网络创建数量要求一览表"): for the children of a unit in a
cycle, 参与创建单位, 应完成网络创建数 and 评选名额, then 合计 — the allocation each child was given,
its `Quota` row (one per (cycle, unit): what the unit's parent gave it). Children in the
official unit order when the tree keeps one, else by name. Printed like the 汇总表: title with
the 届次, 单位名称（盖章）, 报送日期, A4 landscape, borders, a CJK font (core/tables.py)."""

import tempfile

from django.core.files import File
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qnwmh.core.tables import FORMATS, XLSX, Column, Table, write_table
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.jobs.domain import attach_output, job_handler
from qnwmh.units.models import Unit

PRINT_FONT = "宋体"


def chinese_date(day) -> str:
    """报送日期 as the seeds write dates: 2026年12月4日."""
    return f"{day.year}年{day.month}月{day.day}日"


def unit_order() -> list[str]:
    """The official unit order when the unit tree keeps one (`sort_order`), else the name."""
    fields = {field.name for field in Unit._meta.get_fields()}
    return [*(["sort_order"] if "sort_order" in fields else []), "name"]


def quota_rows(actor, cycle: Cycle, unit: Unit) -> list[tuple]:
    """(child name, required registrations, evaluation quota) for each child of `unit` the
    actor sees, 0 where the child has no allocation yet; then the 合计 row."""
    children = list(Unit.objects.visible_to(actor).filter(parent=unit).order_by(*unit_order()))
    given = {
        unit_id: (required, evaluation)
        for unit_id, required, evaluation in Quota.objects.filter(
            cycle=cycle, unit__in=children
        ).values_list("unit_id", "required_registrations", "evaluation_quota")
    }
    rows = [(child.name, *given.get(child.pk, (0, 0))) for child in children]
    total = (_("Total"), sum(r[1] for r in rows), sum(r[2] for r in rows))
    return [*rows, total]


class QuotaTable(Table):
    sheet_name = gettext_lazy("Allocation of quotas")
    columns = (
        Column(gettext_lazy("Participating unit")),
        Column(gettext_lazy("Required online registrations"), text=False),
        Column(gettext_lazy("Evaluation quota"), text=False),
    )
    landscape = repeat_header = borders = fit_widths = True
    font_name = PRINT_FONT
    guarded_rows = False

    def __init__(self, cycle: Cycle | None = None, unit: Unit | None = None, date=None):
        if cycle is not None:
            self.title = _("%(cycle)s: allocation of quotas") % {"cycle": cycle.name}
        if unit is not None:
            self.header_lines = [
                _("Unit (seal): %(unit)s        Date submitted: %(date)s")
                % {"unit": unit.name, "date": date or ""}
            ]

    def rows(self, chunk: tuple) -> list[list]:
        return [list(row) for row in chunk]


@job_handler
def export_quotas(job, progress) -> dict:
    """Job handler: params {"cycle": id, "unit": id, "format": "xlsx" | "csv"}; the actor is
    whoever started the job, and everything is read through its own `visible_to`."""
    actor = job.created_by
    cycle = Cycle.objects.visible_to(actor).get(pk=job.params["cycle"])
    unit = Unit.objects.visible_to(actor).get(pk=job.params["unit"])
    kind = job.params.get("format") if job.params.get("format") in FORMATS else XLSX
    with translation.override("zh-hans"):
        rows = quota_rows(actor, cycle, unit)
        progress(0, len(rows))
        with tempfile.NamedTemporaryFile(suffix=f".{kind}") as output:
            table = QuotaTable(cycle, unit, chinese_date(timezone.localdate()))
            write_table(output.name, kind, table, rows, progress, len(rows))
            name = _("Allocation of quotas-%(cycle)s-%(unit)s") % {
                "cycle": cycle.name,
                "unit": unit.name,
            }
            with open(output.name, "rb") as handle:
                attach_output(job, f"{name}.{kind}", File(handle))
        count = len(rows) - 1
        return {"summary": _("%(count)d units exported.") % {"count": count}, "problems": []}
