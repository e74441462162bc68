"""API v1: cycles (届次) and their quota table (../shared/API.md); progress: qnwmh/reporting."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from qnwmh.core.access import require_role
from qnwmh.core.api import ERRORS, Id, PageNumber, page_out
from qnwmh.core.errors import InvalidInput, NotFound
from qnwmh.core.pagination import MAX_PAGE_SIZE, api_page
from qnwmh.core.roles import AdminRole
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.cycles import domain
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.cycles.validators import RULE_FIELDS, CycleInput, QuotaRow
from qnwmh.units.models import Unit

router = Router(tags=["cycles"])


class RulesIn(Schema):
    """Rule settings; what is left out takes the default (of the level, for prior titles)."""

    min_members: int | None = None
    max_members: int | None = None
    youth_max_age: int | None = None
    min_youth_percent: int | None = None
    leader_max_age: int | None = None
    prior_title_levels: list[Level] | None = None
    prior_title_min_year: int | None = None
    approval_delegated: bool | None = None
    previous: Id | None = None


class CycleIn(Schema):
    name: str
    level: Level
    unit: Id
    # Left out with `previous`: the day after the previous cycle's deadline (seeds 001, 004).
    registration_opens: date | None = None
    registration_closes: date
    evaluation_quota_multiplier: int | None = None
    previous: Id | None = None
    rules: RulesIn = Field(default_factory=RulesIn)


class RulesOut(Schema):
    min_members: int
    max_members: int
    youth_max_age: int
    min_youth_percent: int
    leader_max_age: int
    prior_title_levels: list[Level]
    prior_title_min_year: int | None
    approval_delegated: bool


class CycleOut(Schema):
    id: int
    name: str
    level: Level
    unit: int = Field(..., alias="unit_id")
    unit_name: str
    previous: int | None = Field(None, alias="previous_id")
    registration_opens: date
    registration_closes: date
    evaluation_quota_multiplier: int
    is_open: bool
    rules: RulesOut

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_is_open(obj) -> bool:
        return obj.registration_opens <= timezone.localdate() <= obj.registration_closes

    @staticmethod
    def resolve_rules(obj) -> dict:
        return {name: getattr(obj, name) for name in RULE_FIELDS}


CyclePage = page_out(CycleOut, "CyclePage")


class CycleFilter(Schema):
    level: Level | None = None
    unit: Id | None = None
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class QuotaIn(Schema):
    unit: Id
    required_registrations: int
    evaluation_quota: int


class NumbersOut(Schema):
    required_registrations: int
    evaluation_quota: int


class ChildQuotaOut(Schema):
    unit: int
    unit_name: str
    required_registrations: int
    evaluation_quota: int


class SplitOut(Schema):
    """A unit's allocation and its split among its children (API.md, seeds 000 附件1)."""

    unit: int
    allocation: NumbersOut | None
    children: list[ChildQuotaOut]
    unallocated: NumbersOut


class UnitFilter(Schema):
    unit: Id | None = None


def _cycle(request, cycle_id: int) -> Cycle:
    require_role(request.user, AdminRole.BUSINESS)
    return get_visible_or_404(Cycle.objects.select_related("unit"), request.user, pk=cycle_id)


def _rekeyed(exc: InvalidInput) -> InvalidInput:
    """Rule settings travel under "rules" in the body: name their errors the same way."""
    exc.fields = {
        (f"rules.{key}" if key in RULE_FIELDS else key): value for key, value in exc.fields.items()
    }
    return exc


def _cycle_input(request, payload: CycleIn) -> CycleInput:
    rules = payload.rules.dict(exclude_none=True, exclude={"previous"})
    previous_id = payload.previous if payload.previous is not None else payload.rules.previous
    unit, previous = domain.resolve_references(request.user, payload.unit, previous_id)
    if payload.evaluation_quota_multiplier is not None:
        rules["evaluation_quota_multiplier"] = payload.evaluation_quota_multiplier
    return CycleInput(
        name=payload.name,
        level=payload.level,
        unit=unit,
        previous=previous,
        registration_opens=payload.registration_opens,
        registration_closes=payload.registration_closes,
        **rules,
    )


@router.get("", response={200: CyclePage, **ERRORS})
def list_cycles(request, filters: Query[CycleFilter]):
    require_role(request.user, AdminRole.BUSINESS)
    cycles = Cycle.objects.visible_to(request.user).select_related("unit")
    if filters.level is not None:
        cycles = cycles.filter(level=filters.level)
    if filters.unit is not None:
        cycles = cycles.filter(unit_id=filters.unit)
    return api_page(cycles, filters.page, filters.page_size)


@router.post("", response={201: CycleOut, **ERRORS})
def create_cycle(request, payload: CycleIn):
    require_role(request.user, AdminRole.BUSINESS)
    try:
        cycle = domain.create_cycle(request.user, _cycle_input(request, payload))
    except InvalidInput as exc:
        raise _rekeyed(exc) from exc
    return Status(201, cycle)


@router.get("/{cycle_id}", response={200: CycleOut, **ERRORS})
def get_cycle(request, cycle_id: Path[Id]):
    return _cycle(request, cycle_id)


@router.put("/{cycle_id}", response={200: CycleOut, **ERRORS})
def update_cycle(request, cycle_id: Path[Id], payload: CycleIn):
    cycle = _cycle(request, cycle_id)
    try:
        return domain.update_cycle(request.user, cycle, _cycle_input(request, payload))
    except InvalidInput as exc:
        raise _rekeyed(exc) from exc


def _numbers(quota) -> dict:
    return {
        "required_registrations": quota.required_registrations if quota else 0,
        "evaluation_quota": quota.evaluation_quota if quota else 0,
    }


def _split_out(split: domain.Split) -> dict:
    return {
        "unit": split.unit.pk,
        "allocation": None if split.allocation is None else _numbers(split.allocation),
        "children": [
            {"unit": unit.pk, "unit_name": unit.name, **_numbers(quota)}
            for unit, quota in split.children
        ],
        "unallocated": {
            name: split.unallocated(name) for name in ("required_registrations", "evaluation_quota")
        },
    }


def _split_unit(request, cycle: Cycle, unit_id: int | None) -> Unit:
    """The unit named by `?unit=` (the caller's by default, or the organiser when the caller is
    above it), within the caller's subtree and within the cycle's organiser's, else 404."""
    if unit_id is None:
        return domain.default_split_unit(request.user, cycle)
    unit = get_visible_or_404(Unit, request.user, pk=unit_id)
    if not cycle.unit.contains(unit):
        raise NotFound()
    return unit


@router.get("/{cycle_id}/quotas", response={200: SplitOut, **ERRORS})
def get_quotas(request, cycle_id: Path[Id], filters: Query[UnitFilter]):
    cycle = _cycle(request, cycle_id)
    return _split_out(domain.split_of(cycle, _split_unit(request, cycle, filters.unit)))


@router.put("/{cycle_id}/quotas", response={200: SplitOut, **ERRORS})
def put_quotas(request, cycle_id: Path[Id], payload: list[QuotaIn], filters: Query[UnitFilter]):
    cycle = _cycle(request, cycle_id)
    unit = _split_unit(request, cycle, filters.unit)
    rows = [QuotaRow(**row.dict()) for row in payload]
    return _split_out(domain.set_split(request.user, cycle, unit, rows))


class DelegationIn(Schema):
    unit: Id


class DelegationOut(Schema):
    unit: int = Field(..., alias="unit_id")
    unit_name: str
    created_at: datetime

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name


DelegationList = page_out(DelegationOut, "DelegationList")


def _delegated_unit(request, unit_id: int) -> Unit:
    return get_visible_or_404(Unit, request.user, pk=unit_id)


@router.get("/{cycle_id}/delegations", response={200: DelegationList, **ERRORS})
def list_delegations(request, cycle_id: Path[Id]):
    """Approval delegated per unit for this cycle (seeds 000 附件3), within the caller's
    subtree."""
    found = list(domain.delegations(_cycle(request, cycle_id), request.user))
    return {"count": len(found), "results": found}


@router.post("/{cycle_id}/delegations", response={201: DelegationOut, **ERRORS})
def grant_delegation(request, cycle_id: Path[Id], payload: DelegationIn):
    cycle = _cycle(request, cycle_id)
    unit = _delegated_unit(request, payload.unit)
    return Status(201, domain.grant_delegation(request.user, cycle, unit))


@router.delete("/{cycle_id}/delegations", response={204: None, **ERRORS})
def withdraw_delegation(request, cycle_id: Path[Id], payload: DelegationIn):
    """`DELETE …/delegations` `{unit}`: the delegation to `unit` withdrawn."""
    cycle = _cycle(request, cycle_id)
    domain.withdraw_delegation(request.user, cycle, _delegated_unit(request, payload.unit))
    return Status(204, None)
