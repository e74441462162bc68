from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from qnwmh.accounts import domain as accounts_domain
from qnwmh.accounts.enums import AdminRole
from qnwmh.api.auth import require_role
from qnwmh.api.schemas import ERRORS, Id, PageNumber, page_out
from qnwmh.core.pagination import MAX_PAGE_SIZE, api_page
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


class AdminIn(Schema):
    username: str = Field(..., max_length=64)
    display_name: str = Field(..., max_length=100)
    admin_role: AdminRole = Field(
        AdminRole.BUSINESS, description="The one role of the account (三权分立)"
    )


class AdminOut(Schema):
    username: str
    one_time_password: str
    admin_role: AdminRole


def _require_admin(request):
    """Units and admin accounts are the system administrator's (三权分立)."""
    require_role(request, AdminRole.SYSTEM)


@router.get("", response={200: UnitPage, **ERRORS})
def list_units(request, filters: Query[UnitFilter]):
    _require_admin(request)
    units = Unit.objects.visible_to(request.user).order_by("path")
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    if filters.line is not None:
        units = units.filter(line=filters.line)
    return api_page(units, filters.page, filters.page_size)


@router.get("/{unit_id}", response={200: UnitOut, **ERRORS})
def get_unit(request, unit_id: Path[Id]):
    _require_admin(request)
    return get_object_or_404(Unit.objects.visible_to(request.user), pk=unit_id)


@router.post("", response={201: UnitOut, **ERRORS})
def create_unit(request, payload: UnitIn):
    _require_admin(request)
    parent = get_object_or_404(Unit.objects.visible_to(request.user), pk=payload.parent)
    unit = domain.create_child_unit(
        request.user, parent, name=payload.name, line=payload.line, tier=payload.tier
    )
    return Status(201, unit)


@router.post("/{unit_id}/admins", response={201: AdminOut, **ERRORS})
def create_admin(request, unit_id: Path[Id], payload: AdminIn):
    _require_admin(request)
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=unit_id)
    account, one_time_password = accounts_domain.create_unit_admin(
        request.user,
        unit,
        username=payload.username,
        display_name=payload.display_name,
        admin_role=payload.admin_role,
    )
    return Status(
        201,
        {
            "username": account.username,
            "one_time_password": one_time_password,
            "admin_role": account.admin_role,
        },
    )
