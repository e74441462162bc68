"""我的通知: the inbox page. Parse, call inbox.py, render; every write is a POST and redirects
back to the list as it was (page and filter kept)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qnwmh.core.errors import DomainError, NotFound
from qnwmh.core.pagination import bounded_int, paginate
from qnwmh.core.views import apply_errors
from qnwmh.notifications import inbox, mail
from qnwmh.notifications.forms import EmailForm, ListFilter


def _unread_only(params) -> bool:
    form = ListFilter(params)
    return form.is_valid() and form.cleaned_data["unread"]


def _back(request):
    """The list page the POST came from."""
    query = {"page": bounded_int(request.POST.get("page"), 1, 1, 10**9)}
    if _unread_only(request.POST):
        query["unread"] = "1"
    return redirect(f"{reverse('notifications:list')}?{urlencode(query)}")


@login_required
def notification_list(request, email_form=None):
    unread_only = _unread_only(request.GET)
    context = {
        "page": paginate(inbox.of(request.user, unread_only=unread_only), request.GET),
        "unread_only": unread_only,
        "email_enabled": mail.enabled(),
        "email_form": email_form or EmailForm(initial={"email": request.user.email}),
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def read(request, pk):
    try:
        inbox.mark_read(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _back(request)


@login_required
@require_POST
def read_all(request):
    count = inbox.mark_all_read(request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return _back(request)


@login_required
@require_POST
def email(request):
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            inbox.set_email(request.user, form.cleaned_data["email"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your e-mail address for notifications is saved."))
            return redirect("notifications:list")
    return notification_list(request, email_form=form)
