"""我的会话: the holder's logged-in browsers; end one, all others, or all (logout everywhere)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qnwmh.accounts import policy
from qnwmh.accounts.domain import sessions, two_factor
from qnwmh.accounts.models import ApiToken
from qnwmh.core.errors import NotFound
from qnwmh.core.pagination import paginate


@login_required
def session_list(request):
    user = request.user
    page = paginate(sessions.alive(user), request.GET)
    context = {
        "page": page,
        "current_key": request.session.session_key,
        "token_count": ApiToken.objects.visible_to(user)
        .filter(expires_at__gt=timezone.now())
        .count(),
        "two_factor": two_factor.status_of(user),
        "two_factor_required": policy.two_factor_required(user),
    }
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
def session_end(request, pk):
    try:
        ended = sessions.end_one(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if ended.session_key == request.session.session_key:
        logout(request)
        return redirect("accounts:login")
    messages.success(request, _("The session has ended."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request):
    ended = sessions.end_others(request.user, request.session.session_key)
    messages.success(
        request,
        ngettext(
            "%(count)d other session or API token has ended.",
            "%(count)d other sessions and API tokens have ended.",
            ended.total,
        )
        % {"count": ended.total},
    )
    return redirect("accounts:sessions")


@login_required
@require_POST
def logout_everywhere(request):
    sessions.logout_everywhere(request.user)
    logout(request)
    messages.success(request, _("You have been logged out everywhere."))
    return redirect("accounts:login")
