"""The admin accounts of a unit (三权分立): created and their passwords reset by the system
administrator above, their login history read and their lockout lifted by the security
administrator above. Under /units/ beside the unit pages (qnwmh/urls.py)."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qnwmh.accounts import domain
from qnwmh.accounts.models import User
from qnwmh.core.access import role_required
from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.core.roles import AdminRole
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.core.views import apply_errors, error_page
from qnwmh.units.forms import UnitAdminForm
from qnwmh.units.models import Unit
from qnwmh.units.views import render_detail

system_admin_required = role_required(AdminRole.SYSTEM)
security_admin_required = role_required(AdminRole.SECURITY)


def _account(request, pk) -> User:
    return get_visible_or_404(User.objects.select_related("unit"), request.user, pk=pk)


@system_admin_required
@require_POST
def create_admin(request, pk):
    unit = get_visible_or_404(Unit, request.user, pk=pk)
    form = UnitAdminForm(request.POST)
    if form.is_valid():
        try:
            account, one_time_password = domain.create_unit_admin(
                request.user, unit, **form.cleaned_data
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return _one_time_password_page(request, account, one_time_password)
    return render_detail(request, unit, admin_form=form, status=400)


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


@system_admin_required
@require_POST
def reset_password(request, pk):
    account = _account(request, pk)
    try:
        one_time_password = domain.reset_password(request.user, account)
    except DomainError as exc:
        return error_page(request, exc)
    return _one_time_password_page(request, account, one_time_password)


@security_admin_required
@require_POST
def unlock(request, pk):
    account = _account(request, pk)
    try:
        domain.unlock(request.user, account)
    except DomainError as exc:
        return error_page(request, exc)
    return redirect("units:account", pk=account.pk)


@security_admin_required
def account(request, pk):
    subject = _account(request, pk)
    page = paginate(subject.login_attempts.all(), request.GET)
    return render(request, "units/account.html", {"subject": subject, "page": page})
