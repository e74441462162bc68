"""The unit tree's pages (三权分立: the system administrator's): a unit with its children and
its admin accounts, and a new child unit. The admin accounts' own pages are accounts'
(accounts/views_unit_admins.py), under the same /units/ addresses."""

from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qnwmh.core import paths
from qnwmh.core.access import role_required
from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.core.roles import AccountKind, AdminRole
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.core.views import apply_errors
from qnwmh.units import domain
from qnwmh.units.forms import ChildUnitForm, UnitAdminForm
from qnwmh.units.models import Unit

system_admin_required = role_required(AdminRole.SYSTEM)


@system_admin_required
def index(request):
    return redirect("units:detail", pk=request.user.unit_id)


def render_detail(request, unit, *, child_form=None, admin_form=None, status=200):
    own_path = request.user.unit.path
    breadcrumbs = [u for u in unit.ancestors() if paths.is_within(u.path, own_path)]
    children = (
        Unit.objects.filter(parent=unit)
        .annotate(
            child_count=Count("children", distinct=True),
            admin_count=Count("accounts", distinct=True),
        )
        .order_by("name")
    )
    page = paginate(children, request.GET)
    admins = unit.accounts.filter(kind=AccountKind.ADMIN).order_by("username")
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "breadcrumbs": breadcrumbs,
            "page": page,
            "admins": admins,
            "child_form": child_form
            or ChildUnitForm(initial={"line": unit.line, "tier": min(unit.tier + 1, 3)}),
            "admin_form": admin_form or UnitAdminForm(),
            "can_add_child": unit.tier < 3,
        },
        status=status,
    )


@system_admin_required
def detail(request, pk):
    return render_detail(request, get_visible_or_404(Unit, request.user, pk=pk))


@system_admin_required
@require_POST
def create_child(request, pk):
    unit = get_visible_or_404(Unit, request.user, pk=pk)
    form = ChildUnitForm(request.POST)
    if form.is_valid():
        try:
            child = domain.create_child_unit(request.user, unit, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("units:detail", pk=child.pk)
    return render_detail(request, unit, child_form=form, status=400)
