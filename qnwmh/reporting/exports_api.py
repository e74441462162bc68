"""API v1 `POST /exports` (../shared/API.md "Added in 2026-12"): the seed's tables as a
background job — `summary` the 申报集体汇总表 (seeds 004/003 附件2, registrations/exports.py),
`quotas` the 名额分配表 (seeds 000 附件1, cycles/exports.py) — by the admin of `unit`, for a
cycle it takes part in. Answers 202 with the job; `GET /jobs/{id}` follows it."""

from typing import Literal

from ninja import Router, Schema, Status
from pydantic import ConfigDict

from qnwmh.core.access import require_role
from qnwmh.core.api import ERRORS, Id
from qnwmh.core.roles import AdminRole
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.cycles.models import Cycle
from qnwmh.reporting.exports import start_export
from qnwmh.units.models import Unit

router = Router(tags=["exports"])


class ExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["summary", "quotas"]
    cycle: Id
    unit: Id
    format: Literal["xlsx", "csv"] = "xlsx"


class ExportStartedOut(Schema):
    job: int


@router.post("", response={202: ExportStartedOut, **ERRORS})
def create_export(request, payload: ExportIn):
    """Start an export of `unit`'s subtree in `cycle`; 404 for a unit outside the caller's
    subtree or a cycle it does not take part in."""
    require_role(request.user, AdminRole.BUSINESS)
    unit = get_visible_or_404(Unit, request.user, pk=payload.unit)
    cycle = get_visible_or_404(Cycle, request.user, pk=payload.cycle)
    job = start_export(request.user, payload.kind, cycle, unit, payload.format)
    return Status(202, {"job": job.pk})
