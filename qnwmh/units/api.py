"""API v1 /units: the unit tree, the system administrator's (三权分立). A unit's admin accounts
are accounts' (accounts/api.py, mounted under /units as well)."""

from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from qnwmh.core.access import require_role
from qnwmh.core.api import ERRORS, Id, PageNumber, page_out
from qnwmh.core.pagination import MAX_PAGE_SIZE, api_page
from qnwmh.core.roles import AdminRole
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.units import domain
from qnwmh.units.enums import Line
from qnwmh.units.models import Unit

router = Router(tags=["units"])


class UnitOut(Schema):
    id: int
    name: str
    line: Line
    tier: int
    parent: int | None = Field(None, alias="parent_id")


UnitPage = page_out(UnitOut, "UnitPage")


class UnitFilter(Schema):
    parent: Id | None = None
    line: Line | None = None
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class UnitIn(Schema):
    name: str = Field(..., max_length=100)
    line: Line
    tier: int = Field(..., ge=0, le=3)
    parent: Id


@router.get("", response={200: UnitPage, **ERRORS})
def list_units(request, filters: Query[UnitFilter]):
    require_role(request.user, AdminRole.SYSTEM)
    units = Unit.objects.visible_to(request.user).order_by("path")
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    if filters.line is not None:
        units = units.filter(line=filters.line)
    return api_page(units, filters.page, filters.page_size)


@router.get("/{unit_id}", response={200: UnitOut, **ERRORS})
def get_unit(request, unit_id: Path[Id]):
    require_role(request.user, AdminRole.SYSTEM)
    return get_visible_or_404(Unit, request.user, pk=unit_id)


@router.post("", response={201: UnitOut, **ERRORS})
def create_unit(request, payload: UnitIn):
    require_role(request.user, AdminRole.SYSTEM)
    parent = get_visible_or_404(Unit, request.user, pk=payload.parent)
    unit = domain.create_child_unit(
        request.user, parent, name=payload.name, line=payload.line, tier=payload.tier
    )
    return Status(201, unit)
