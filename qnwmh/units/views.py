from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qnwmh.accounts import domain as accounts_domain
from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.models import User
from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.core.views import apply_errors, role_required
from qnwmh.units import domain
from qnwmh.units.forms import ChildUnitForm, UnitAdminForm
from qnwmh.units.models import Unit

# 三权分立: units and admin accounts are the system administrator's; one account's login
# history and its unlock are the security administrator's.
system_admin_required = role_required(AdminRole.SYSTEM)
security_admin_required = role_required(AdminRole.SECURITY)


def _visible_unit(request, pk) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)


@system_admin_required
def index(request):
    return redirect("units:detail", pk=request.user.unit_id)


def _render_detail(request, unit, *, child_form=None, admin_form=None, status=200):
    own_path = request.user.unit.path
    breadcrumbs = [u for u in unit.ancestors() if u.path.startswith(own_path)]
    children = (
        Unit.objects.filter(parent=unit)
        .annotate(
            child_count=Count("children", distinct=True),
            admin_count=Count("accounts", distinct=True),
        )
        .order_by("name")
    )
    page = paginate(children, request.GET)
    admins = User.objects.filter(unit=unit, kind=AccountKind.ADMIN).order_by("username")
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
    return _render_detail(request, _visible_unit(request, pk))


@system_admin_required
@require_POST
def create_child(request, pk):
    unit = _visible_unit(request, pk)
    form = ChildUnitForm(request.POST)
    if form.is_valid():
        try:
            child = domain.create_child_unit(request.user, unit, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("units:detail", pk=child.pk)
    return _render_detail(request, unit, child_form=form, status=400)


@system_admin_required
@require_POST
def create_admin(request, pk):
    unit = _visible_unit(request, pk)
    form = UnitAdminForm(request.POST)
    if form.is_valid():
        try:
            account, one_time_password = accounts_domain.create_unit_admin(
                request.user, unit, **form.cleaned_data
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return _one_time_password_page(request, account, one_time_password)
    return _render_detail(request, unit, admin_form=form, status=400)


def _one_time_password_page(request, account, one_time_password):
    response = render(
        request,
        "units/one_time_password.html",
        {
            "account": account,
            "one_time_password": one_time_password,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _visible_account(request, pk) -> User:
    return get_object_or_404(User.objects.visible_to(request.user).select_related("unit"), pk=pk)


@system_admin_required
@require_POST
def reset_password(request, pk):
    account = _visible_account(request, pk)
    try:
        one_time_password = accounts_domain.reset_password(request.user, account)
    except DomainError as exc:
        return render(request, "web/error.html", {"message": exc.message}, status=exc.status)
    return _one_time_password_page(request, account, one_time_password)


@security_admin_required
@require_POST
def unlock(request, pk):
    account = _visible_account(request, pk)
    try:
        accounts_domain.unlock(request.user, account)
    except DomainError as exc:
        return render(request, "web/error.html", {"message": exc.message}, status=exc.status)
    return redirect("units:account", pk=account.pk)


@security_admin_required
def account(request, pk):
    subject = _visible_account(request, pk)
    page = paginate(subject.login_attempts.all(), request.GET)
    return render(request, "units/account.html", {"subject": subject, "page": page})
