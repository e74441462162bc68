"""API v1 of 网络报备 (../shared/API.md). Mounted at the API root, so paths are full.

Every answer about a registration has the same body (`registration_body`), transitions included.
The endpoints parse, call the same domain functions as the pages, and shape the answer; the
scoping is `visible_to` (outside the subtree: 404), the decisions are domain.py's (403 / 409).
"""

from django.http import Http404
from ninja import Path, Query, Router, Schema
from pydantic import Field

from qnwmh.collectives.models import Collective
from qnwmh.core.access import require_role
from qnwmh.core.api import ERRORS, MAX_PAGE, Id, PageNumber
from qnwmh.core.pagination import MAX_PAGE_SIZE, api_page
from qnwmh.core.roles import AdminRole
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.cycles.models import Cycle
from qnwmh.registrations import domain, eligibility, queries
from qnwmh.registrations.enums import RegistrationState
from qnwmh.registrations.models import Registration
from qnwmh.registrations.schemas import (
    BulkIn,
    BulkOut,
    DraftIn,
    ProgressPage,
    ReasonIn,
    RegistrationOut,
    RegistrationPage,
    registration_body,
)
from qnwmh.units.models import Unit

router = Router(tags=["registrations"])


def _with_body(registrations):
    """What `registration_body` reads, in the same queries."""
    return registrations.select_related("collective", "cycle", "unit").prefetch_related(
        queries.WITH_HISTORY
    )


def _registrations(user):
    return _with_body(Registration.objects.visible_to(user))


def _fresh(user, registration: Registration) -> dict:
    """After a change: the stored row again, with its history."""
    return registration_body(_registrations(user).get(pk=registration.pk))


def _registration(request, registration_id: int) -> Registration:
    return get_visible_or_404(_with_body(Registration.objects), request.user, pk=registration_id)


# --- the collective -----------------------------------------------------------------------


def _own(request, cycle_id: int, registrations=None):
    collective = domain.collective_of(request.user)
    cycle = domain.registrable_cycle(collective, cycle_id)
    registrations = registrations if registrations is not None else _registrations(request.user)
    registration = registrations.filter(cycle=cycle, collective=collective).first()
    return collective, cycle, registration


@router.get("/me/registrations", response={200: RegistrationPage, **ERRORS}, by_alias=True)
def my_registrations(
    request,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
):
    """The collective's registrations (我的申请)."""
    collective = domain.collective_of(request.user)
    rows = (
        _registrations(request.user)
        .filter(collective=collective)
        .order_by("-cycle__registration_closes", "-id")
    )
    start = (page - 1) * page_size
    return {
        "count": rows.count(),
        "results": [registration_body(r) for r in rows[start : start + page_size]],
    }


@router.get(
    "/me/registrations/{int:cycle_id}", response={200: RegistrationOut, **ERRORS}, by_alias=True
)
def get_my_registration(request, cycle_id: Path[Id]):
    """The collective's registration for a cycle; while it may still edit, the eligibility is
    evaluated now (what a submission would meet), afterwards as it was when submitted."""
    collective, cycle, registration = _own(request, cycle_id)
    if registration is None:
        raise Http404
    results = None
    if registration.is_editable:
        results = eligibility.assess(
            cycle, collective, domain.profile_of(registration), registration
        )
    return registration_body(registration, results)


@router.put(
    "/me/registrations/{int:cycle_id}", response={200: RegistrationOut, **ERRORS}, by_alias=True
)
def put_my_registration(request, cycle_id: Path[Id], payload: DraftIn):
    """保存草稿: replaces the profile and plan (a full PUT: what is left out becomes blank)."""
    # save_draft looks the cycle up among the collective's own (404 otherwise): only its id here.
    cycle = Cycle(pk=cycle_id)
    profile = payload.profile.model_dump()
    registration = domain.save_draft(request.user, cycle, profile, payload.plan.model_dump())
    return _fresh(request.user, registration)


@router.post(
    "/me/registrations/{int:cycle_id}/submit",
    response={200: RegistrationOut, **ERRORS},
    by_alias=True,
)
def submit_my_registration(request, cycle_id: Path[Id]):
    """提交 → submitted, or 409 not_eligible with fields.eligibility."""
    # What the eligibility rules read, in the same query; the history is read after the change.
    registrations = Registration.objects.visible_to(request.user).select_related(
        "collective__unit", "cycle__unit", "unit"
    )
    _collective, _cycle, registration = _own(request, cycle_id, registrations)
    if registration is None:
        raise Http404
    return _fresh(request.user, domain.submit(request.user, registration))


# --- the reviewers ------------------------------------------------------------------------


class RegistrationFilter(Schema):
    cycle: Id | None = None
    state: RegistrationState | None = None
    unit: Id | None = None
    q: str | None = Field(None, max_length=100)
    awaiting: bool = False
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


@router.get("/registrations", response={200: RegistrationPage, **ERRORS}, by_alias=True)
def list_registrations(request, filters: Query[RegistrationFilter]):
    """Registrations of the caller's subtree; `unit` or `cycle` outside it is 404."""
    require_role(request.user, AdminRole.BUSINESS)
    cycle = unit = None
    if filters.cycle is not None:
        cycle = get_visible_or_404(Cycle, request.user, pk=filters.cycle)
    if filters.unit is not None:
        unit = get_visible_or_404(Unit, request.user, pk=filters.unit)
    rows = queries.review_rows(
        request.user,
        cycle=cycle,
        state=filters.state,
        unit=unit,
        q=filters.q or "",
        awaiting=filters.awaiting,
    ).prefetch_related(queries.WITH_HISTORY)
    rows = rows.order_by("unit_path", "collective__code", "id")
    return api_page(rows, filters.page, filters.page_size, registration_body)


@router.get(
    "/registrations/{int:registration_id}", response={200: RegistrationOut, **ERRORS}, by_alias=True
)
def get_registration(request, registration_id: Path[Id]):
    """An admin over it, or the collective itself; anyone else 404."""
    return registration_body(_registration(request, registration_id))


@router.post("/registrations/bulk-pre-approve", response={200: BulkOut, **ERRORS}, by_alias=True)
def bulk_pre_approve(request, payload: BulkIn):
    """批量初审: a result per id; ids outside the subtree are not_found."""
    require_role(request.user, AdminRole.BUSINESS)
    results = domain.bulk_pre_approve(request.user, payload.ids)
    return {
        "results": [
            {
                "id": r.id,
                "ok": r.ok,
                "code": r.code,
                "message": r.message,
                "state": r.registration.state if r.registration else None,
            }
            for r in results
        ]
    }


@router.post(
    "/registrations/{int:registration_id}/pre-approve",
    response={200: RegistrationOut, **ERRORS},
    by_alias=True,
)
def pre_approve(request, registration_id: Path[Id]):
    return _fresh(
        request.user, domain.pre_approve(request.user, _registration(request, registration_id))
    )


@router.post(
    "/registrations/{int:registration_id}/approve",
    response={200: RegistrationOut, **ERRORS},
    by_alias=True,
)
def approve(request, registration_id: Path[Id]):
    return _fresh(
        request.user, domain.approve(request.user, _registration(request, registration_id))
    )


@router.post(
    "/registrations/{int:registration_id}/return",
    response={200: RegistrationOut, **ERRORS},
    by_alias=True,
)
def return_registration(request, registration_id: Path[Id], payload: ReasonIn):
    registration = _registration(request, registration_id)
    return _fresh(
        request.user, domain.return_registration(request.user, registration, payload.reason)
    )


@router.post(
    "/registrations/{int:registration_id}/cancel",
    response={200: RegistrationOut, **ERRORS},
    by_alias=True,
)
def cancel(request, registration_id: Path[Id], payload: ReasonIn):
    registration = _registration(request, registration_id)
    return _fresh(request.user, domain.cancel(request.user, registration, payload.reason))


class ProgressFilter(Schema):
    q: str | None = Field(None, max_length=100)
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


@router.get("/progress", response={200: ProgressPage, **ERRORS})
def progress(request, filters: Query[ProgressFilter]):
    """进度查询 by code, name or former name over the caller's subtree."""
    require_role(request.user, AdminRole.BUSINESS)
    collectives = queries.progress_search(request.user, filters.q or "")
    return api_page(collectives, filters.page, filters.page_size, _progress)


def _progress(collective: Collective) -> dict:
    return {
        "code": collective.code,
        "name": collective.name,
        "former_names": [f.name for f in collective.former_names.all()],
        "unit": collective.unit_id,
        "unit_name": collective.unit.name,
        "registrations": [
            {"id": r.pk, "cycle": r.cycle_id, "cycle_name": r.cycle.name, "state": r.state}
            for r in collective.registrations.all()
        ],
    }
