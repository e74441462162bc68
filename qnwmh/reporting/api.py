"""API v1: reports — a cycle's progress below a unit (../shared/API.md), under the cycle's own
path `/cycles/{cycle_id}/progress` (the router is mounted at /cycles)."""

from ninja import Path, Query, Router, Schema

from qnwmh.core.access import require_role
from qnwmh.core.api import ERRORS, Id
from qnwmh.core.roles import AdminRole
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.cycles.models import Cycle
from qnwmh.reporting.progress import ProgressRow, compute_progress
from qnwmh.units.models import Unit

router = Router(tags=["cycles"])


class ShortfallOut(Schema):
    rule: str
    message: str


class ProgressRowOut(Schema):
    unit: int
    unit_name: str
    direct: bool
    required: int
    evaluation_quota: int
    registered: int
    approved: int
    non_public: int
    previous_title: int
    previous_title_percent: int | None
    ratio_target: int
    ratio_ok: bool
    shortfalls: list[ShortfallOut]


# Not "ProgressOut": the document names schemas by class, and registrations has one.
class CycleProgressOut(Schema):
    cycle: int
    unit: int
    unit_name: str
    evaluation_quota_multiplier: int
    results: list[ProgressRowOut]
    totals: ProgressRowOut


class ProgressFilter(Schema):
    unit: Id | None = None


def _row_out(row: ProgressRow) -> dict:
    return {
        "unit": row.unit.pk,
        "unit_name": row.unit.name,
        "direct": row.direct,
        "required": row.required,
        "evaluation_quota": row.evaluation_quota,
        "registered": row.registered,
        "approved": row.approved,
        "non_public": row.non_public,
        "previous_title": row.previous_title,
        "previous_title_percent": row.previous_title_percent,
        "ratio_target": row.ratio_target,
        "ratio_ok": row.ratio_ok,
        "shortfalls": [{"rule": s.rule, "message": s.message} for s in row.shortfalls],
    }


@router.get("/{cycle_id}/progress", response={200: CycleProgressOut, **ERRORS})
def get_progress(request, cycle_id: Path[Id], filters: Query[ProgressFilter]):
    require_role(request.user, AdminRole.BUSINESS)
    cycle = get_visible_or_404(Cycle.objects.select_related("unit"), request.user, pk=cycle_id)
    unit_id = filters.unit if filters.unit is not None else request.user.unit_id
    unit = get_visible_or_404(Unit, request.user, pk=unit_id)
    report = compute_progress(cycle, unit, request.user)
    return {
        "cycle": cycle.pk,
        "unit": unit.pk,
        "unit_name": unit.name,
        "evaluation_quota_multiplier": cycle.evaluation_quota_multiplier,
        "results": [_row_out(row) for row in report.rows],
        "totals": _row_out(report.totals),
    }
