"""安全管理员: the accounts of the subtree with their lock and activity state, the way to each
account's login history, unlock and two-factor reset; the security policy (三权分立)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.accounts import limits, rules
from qnwmh.accounts.domain import security_policy
from qnwmh.accounts.enums import AdminRole
from qnwmh.accounts.forms import AccountSearchForm, SecurityPolicyForm
from qnwmh.accounts.models import User
from qnwmh.core.access import role_required
from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.core.views import apply_errors


@role_required(AdminRole.SECURITY)
def account_list(request):
    form = AccountSearchForm(request.GET or None)
    accounts = (
        User.objects.visible_to(request.user)
        .select_related("unit")
        .order_by("unit__path", "username")
    )
    now = timezone.now()
    page = paginate(form.filter(accounts, now), request.GET)
    return render(request, "accounts/security_accounts.html", {"form": form, "page": page})


def _policy_page(request, form, row, *, can_change: bool, status: int = 200):
    context = {
        "form": form,
        "row": row,
        "can_change": can_change,
        "cache_seconds": limits.CACHE_SECONDS,
    }
    return render(request, "accounts/security_policy.html", context, status=status)


@role_required(AdminRole.SECURITY)
def policy(request):
    """安全策略: every security administrator reads it, the national one changes it."""
    can_change = rules.can_change_security_policy(request.user)
    values, row = security_policy.in_force()
    if request.method != "POST":
        initial = {**values, "version": security_policy.version_of(row)}
        form = SecurityPolicyForm(initial=initial, read_only=not can_change)
        return _policy_page(request, form, row, can_change=can_change)
    if not can_change:
        raise PermissionDenied
    form = SecurityPolicyForm(request.POST)
    if not form.is_valid():
        return _policy_page(request, form, row, can_change=True, status=400)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        changed = security_policy.change(request.user, data, version=version)
    except DomainError as exc:
        apply_errors(form, exc)
        return _policy_page(request, form, row, can_change=True, status=exc.status)
    if changed is None:
        messages.info(request, _("Nothing was changed."))
    else:
        messages.success(request, _("The security policy has been changed."))
    return redirect("accounts:security_policy")
