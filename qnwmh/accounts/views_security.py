"""安全管理员: the accounts of the subtree with their lock and activity state, the way to each
account's login history, unlock and two-factor reset (三权分立)."""

from django.shortcuts import render
from django.utils import timezone

from qnwmh.accounts.enums import AdminRole
from qnwmh.accounts.forms import AccountSearchForm
from qnwmh.accounts.models import User
from qnwmh.core.pagination import paginate
from qnwmh.core.views import role_required


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
