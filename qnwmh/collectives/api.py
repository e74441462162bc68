"""API v1 of collectives, exactly as ../shared/API.md: create (409 collective_exists with
existing_code), search in the subtree, read and edit, password reset, unfreeze, delete frozen;
plus near-duplicate candidates and transfer. The same domain functions as the pages."""

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from qnwmh.collectives import domain, duplicates, frozen, queries, rules, transfers
from qnwmh.collectives.enums import Ownership, TransferState
from qnwmh.collectives.models import Collective, TransferRequest
from qnwmh.core.access import require_role
from qnwmh.core.api import ERRORS, Id, PageNumber, page_out
from qnwmh.core.pagination import MAX_PAGE_SIZE
from qnwmh.core.roles import AccountKind, AdminRole
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.cycles.enums import Level
from qnwmh.units.enums import Line
from qnwmh.units.models import Unit

router = Router(tags=["collectives"])


class UnitRef(Schema):
    id: int
    name: str


class TitleOut(Schema):
    level: Level
    year: int
    name: str
    revoked: bool


class CollectiveOut(Schema):
    code: str
    name: str
    former_names: list[str]
    unit: UnitRef
    line: str
    industry: str
    ownership: str
    leader_name: str
    phone: str
    data_ok: bool
    frozen_reasons: list[str]
    titles: list[TitleOut]


CollectivePage = page_out(CollectiveOut, "CollectivePage")


class CreatedOut(Schema):
    code: str
    one_time_password: str
    collective: CollectiveOut


class PasswordOut(Schema):
    code: str
    one_time_password: str


class CandidateOut(Schema):
    """`code` is null outside the caller's subtree (`in_jurisdiction` false): only the unit is
    named there, and a transfer request is the way forward (issue 10 item 10)."""

    code: str | None
    name: str
    matched_name: str
    exact: bool
    in_jurisdiction: bool
    unit: UnitRef


CandidatePage = page_out(CandidateOut, "CandidatePage")


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class CollectiveIn(_Strict):
    name: str = Field(..., max_length=200)
    unit: Id
    line: Line
    industry: str = Field("", max_length=50)
    ownership: Ownership = Ownership.PUBLIC
    leader_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)


class CollectivePatch(_Strict):
    """A changed name keeps the old one as a former name; unit and line change by transfer."""

    name: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=50)
    ownership: Ownership | None = None
    leader_name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=30)


class UnfreezeIn(_Strict):
    line: Line | None = None
    ownership: Ownership | None = None
    industry: str | None = Field(None, max_length=50)
    leader_name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=30)


class TransferIn(_Strict):
    unit: Id


class TransferRequestIn(_Strict):
    """The collective by its name (the requester has no code), the unit it should move to."""

    name: str = Field(..., min_length=1, max_length=200)
    unit: Id
    reason: str = Field("", max_length=1000)


class DeclineIn(_Strict):
    reason: str = Field(..., min_length=1, max_length=1000)


class TransferRequestOut(Schema):
    id: int
    collective_name: str
    from_unit: UnitRef
    to_unit: UnitRef
    deciding_unit: UnitRef
    reason: str
    state: TransferState
    decline_reason: str
    can_decide: bool


TransferRequestPage = page_out(TransferRequestOut, "TransferRequestPage")


def _unit_ref(unit) -> dict:
    return {"id": unit.pk, "name": unit.name}


def transfer_request_body(user, transfer_request: TransferRequest) -> dict:
    return {
        "id": transfer_request.pk,
        "collective_name": transfer_request.collective.name,
        "from_unit": _unit_ref(transfer_request.from_unit),
        "to_unit": _unit_ref(transfer_request.to_unit),
        "deciding_unit": _unit_ref(transfer_request.deciding_unit),
        "reason": transfer_request.reason,
        "state": transfer_request.state,
        "decline_reason": transfer_request.decline_reason,
        "can_decide": rules.can_decide_transfer(user, transfer_request),
    }


class CandidateFilter(Schema):
    name: str = Field(..., min_length=1, max_length=200)


class CollectiveFilter(Schema):
    q: str = Field("", max_length=200)
    unit: Id | None = None
    cycle: Id | None = None
    # A registration state (registrations' enums.RegistrationState, checked by the query:
    # registrations come after collectives in the import order).
    state: str | None = Field(None, max_length=16)
    ownership: Ownership | None = None
    data_ok: bool | None = None
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def collective_body(collective: Collective) -> dict:
    """The body every endpoint returns; reads prefetched former names and titles."""
    return {
        "code": collective.code,
        "name": collective.name,
        "former_names": [f.name for f in collective.former_names.all()],
        "unit": {"id": collective.unit.pk, "name": collective.unit.name},
        "line": collective.line,
        "industry": collective.industry,
        "ownership": collective.ownership,
        "leader_name": collective.leader_name,
        "phone": collective.phone,
        "data_ok": collective.data_ok,
        "frozen_reasons": list(collective.frozen_reasons),
        "titles": [
            {"level": t.level, "year": t.year, "name": t.name, "revoked": t.revoked_at is not None}
            for t in collective.titles.all()
        ],
    }


def _collective(request, code: str) -> Collective:
    """Admins in their subtree, a collective itself; anything else in sight is 404."""
    require_role(request.user, AdminRole.BUSINESS, AccountKind.COLLECTIVE)
    return get_visible_or_404(queries.for_listing(Collective.objects), request.user, code=code)


def _fresh(collective: Collective) -> dict:
    return collective_body(queries.for_listing(Collective.objects).get(pk=collective.pk))


@router.post("", response={201: CreatedOut, **ERRORS})
def create_collective(request, payload: CollectiveIn):
    require_role(request.user, AdminRole.BUSINESS)
    unit = get_visible_or_404(Unit, request.user, pk=payload.unit)
    collective, one_time_password = domain.create_collective(
        request.user, **payload.dict(exclude={"unit"}), unit=unit
    )
    body = {
        "code": collective.code,
        "one_time_password": one_time_password,
        "collective": _fresh(collective),
    }
    return Status(201, body)


@router.get("", response={200: CollectivePage, **ERRORS})
def list_collectives(request, filters: Query[CollectiveFilter]):
    """Search in the subtree by code, name or former name (找回编码, 进度查询)."""
    require_role(request.user, AdminRole.BUSINESS)
    collectives = queries.search(Collective.objects.visible_to(request.user), filters.q)
    if filters.unit is not None:
        collectives = queries.in_unit_subtree(
            collectives, get_visible_or_404(Unit, request.user, pk=filters.unit)
        )
    collectives = queries.with_registration(
        collectives, cycle_id=filters.cycle, state=filters.state
    )
    if filters.ownership is not None:
        collectives = collectives.filter(ownership=filters.ownership)
    if filters.data_ok is not None:
        collectives = collectives.filter(data_ok=filters.data_ok)
    start = (filters.page - 1) * filters.page_size
    page = queries.for_listing(collectives.order_by("code"))[start : start + filters.page_size]
    return {"count": collectives.count(), "results": [collective_body(c) for c in page]}


@router.get("/candidates", response={200: CandidatePage, **ERRORS})
def candidates(request, filters: Query[CandidateFilter]):
    """Near-duplicates to look at before creating (same loose key, former names included)."""
    require_role(request.user, AdminRole.BUSINESS)
    found = duplicates.near_duplicates(filters.name, request.user)
    results = [
        {
            "code": c.code,
            "name": c.collective.name,
            "matched_name": c.matched_name,
            "exact": c.exact,
            "in_jurisdiction": c.in_jurisdiction,
            "unit": {"id": c.collective.unit.pk, "name": c.collective.unit.name},
        }
        for c in found
    ]
    return {"count": len(results), "results": results}


@router.get("/transfer-requests", response={200: TransferRequestPage, **ERRORS})
def list_transfer_requests(request, page: PageNumber = 1):
    """Transfer requests of the caller's subtree: those it made and those it decides."""
    require_role(request.user, AdminRole.BUSINESS)
    found = transfers.visible(request.user)
    start = (page - 1) * 20
    results = [transfer_request_body(request.user, t) for t in found[start : start + 20]]
    return {"count": found.count(), "results": results}


@router.post("/transfer-requests", response={201: TransferRequestOut, **ERRORS})
def create_transfer_request(request, payload: TransferRequestIn):
    """Ask the lowest unit over both jurisdictions to move a collective of another
    jurisdiction to `unit` (seeds 000 Q4); the answer of a 409 collective_exists outside the
    caller's subtree."""
    require_role(request.user, AdminRole.BUSINESS)
    unit = get_visible_or_404(Unit, request.user, pk=payload.unit)
    made = transfers.request_transfer(
        request.user, name=payload.name, to_unit=unit, reason=payload.reason
    )
    return Status(201, transfer_request_body(request.user, transfers.get(request.user, made.pk)))


@router.post(
    "/transfer-requests/{int:request_id}/accept", response={200: TransferRequestOut, **ERRORS}
)
def accept_transfer_request(request, request_id: int):
    require_role(request.user, AdminRole.BUSINESS)
    done = transfers.accept(request.user, transfers.get(request.user, request_id))
    return transfer_request_body(request.user, transfers.get(request.user, done.pk))


@router.post(
    "/transfer-requests/{int:request_id}/decline", response={200: TransferRequestOut, **ERRORS}
)
def decline_transfer_request(request, request_id: int, payload: DeclineIn):
    require_role(request.user, AdminRole.BUSINESS)
    done = transfers.decline(request.user, transfers.get(request.user, request_id), payload.reason)
    return transfer_request_body(request.user, transfers.get(request.user, done.pk))


@router.get("/{code}", response={200: CollectiveOut, **ERRORS})
def get_collective(request, code: str):
    return collective_body(_collective(request, code))


@router.patch("/{code}", response={200: CollectiveOut, **ERRORS})
def patch_collective(request, code: str, payload: CollectivePatch):
    require_role(request.user, AdminRole.BUSINESS)
    collective = _collective(request, code)
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    new_name = changes.pop("name", None)
    if new_name is not None and new_name != collective.name:
        collective = domain.rename(request.user, collective, new_name)
    if changes:
        collective = domain.update_details(request.user, collective, **changes)
    return _fresh(collective)


@router.post("/{code}/password-reset", response={200: PasswordOut, **ERRORS})
def reset_password(request, code: str):
    require_role(request.user, AdminRole.BUSINESS)
    collective = _collective(request, code)
    one_time_password = domain.reset_password(request.user, collective)
    return {"code": collective.code, "one_time_password": one_time_password}


@router.post("/{code}/unfreeze", response={200: CollectiveOut, **ERRORS})
def unfreeze(request, code: str, payload: UnfreezeIn):
    require_role(request.user, AdminRole.BUSINESS)
    collective = _collective(request, code)
    fields = payload.dict(exclude_none=True)
    return _fresh(frozen.unfreeze(request.user, collective, **fields))


@router.post("/{code}/transfer", response={200: CollectiveOut, **ERRORS})
def transfer(request, code: str, payload: TransferIn):
    require_role(request.user, AdminRole.BUSINESS)
    collective = _collective(request, code)
    new_unit = get_visible_or_404(Unit, request.user, pk=payload.unit)
    return _fresh(domain.transfer(request.user, collective, new_unit))


@router.delete("/{code}", response={204: None, **ERRORS})
def delete_frozen(request, code: str):
    require_role(request.user, AdminRole.BUSINESS)
    frozen.delete_frozen(request.user, _collective(request, code))
    return Status(204, None)
