"""The seed's tables started as background jobs: `summary` the 申报集体汇总表 (seeds 004/003
附件2, registrations/exports.py), `quotas` the 名额分配表 (seeds 000 附件1, cycles/exports.py).
One entry point for the API (`POST /exports`) and the pages' export buttons."""

from django.utils.translation import gettext as _

from qnwmh.cycles.exports import export_quotas
from qnwmh.cycles.models import Cycle
from qnwmh.jobs.domain import start
from qnwmh.jobs.models import Job
from qnwmh.registrations.exports import export_summary
from qnwmh.units.models import Unit

KINDS = ("summary", "quotas")
FORMATS = ("xlsx", "csv")


def start_export(actor, kind: str, cycle: Cycle, unit: Unit, file_format: str) -> Job:
    """The job of one export of `unit`'s subtree in `cycle`. The caller has fetched both through
    the actor's `visible_to`; the job reads through it again (the handlers)."""
    handler, label = (
        (export_summary, _("Summary of applying collectives"))
        if kind == "summary"
        else (export_quotas, _("Allocation of quotas"))
    )
    return start(
        handler,
        actor=actor,
        title=f"{label}: {cycle.name} · {unit.name}",
        params={"cycle": cycle.pk, "unit": unit.pk, "format": file_format},
        scope_unit=unit,
    )
