"""Two-factor pages: the holder's own setup, recovery codes and (for collectives and judges)
switching it off; the security administrator's page to reset a lost device; the system
administrator's disable and enable (三权分立)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qnwmh.accounts import policy, rules, totp
from qnwmh.accounts.domain import accounts, sessions, two_factor
from qnwmh.accounts.enums import AdminRole
from qnwmh.accounts.forms import TwoFactorCodeForm
from qnwmh.accounts.models import ApiToken, User
from qnwmh.core.access import role_required
from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.core.scoping import get_visible_or_404


def _apply_errors(form, exc: DomainError) -> None:
    if not exc.fields:
        form.add_error(None, exc.message)
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _no_store(response):
    # Secrets and recovery codes must not stay in a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


def _own_page(request, *, forms=None, status=200):
    user = request.user
    state = two_factor.status_of(user)
    forms = forms or {}
    context = {
        "state": state,
        "required": policy.two_factor_required(user),
        "confirm_form": forms.get("confirm") or TwoFactorCodeForm(prefix="confirm"),
        "codes_form": forms.get("codes") or TwoFactorCodeForm(prefix="codes"),
        "disable_form": forms.get("disable") or TwoFactorCodeForm(prefix="disable"),
    }
    if state.pending_secret:
        context["secret_grouped"] = totp.grouped(state.pending_secret)
        context["otpauth_uri"] = totp.provisioning_uri(state.pending_secret, user.username)
    return _no_store(render(request, "accounts/two_factor.html", context, status=status))


@login_required
def two_factor_page(request):
    return _own_page(request)


@login_required
@require_POST
def two_factor_setup(request):
    try:
        two_factor.start_setup(request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:two_factor")


def _codes_page(request, codes: list[str], *, first_time: bool):
    return _no_store(
        render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "first_time": first_time},
        )
    )


def _with_code(request, prefix: str, action):
    """Run `action(code)` with the code of the form named `prefix`; on failure show the page
    again with the error next to that form's field."""
    form = TwoFactorCodeForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            return action(form.cleaned_data["otp"]), None
        except DomainError as exc:
            _apply_errors(form, exc)
            return None, _own_page(request, forms={prefix: form}, status=exc.status)
    return None, _own_page(request, forms={prefix: form}, status=400)


@login_required
@require_POST
def two_factor_confirm(request):
    codes, failed = _with_code(
        request, "confirm", lambda code: two_factor.confirm_setup(request.user, code)
    )
    return failed or _codes_page(request, codes, first_time=True)


@login_required
@require_POST
def recovery_codes(request):
    codes, failed = _with_code(
        request, "codes", lambda code: two_factor.regenerate_recovery_codes(request.user, code)
    )
    return failed or _codes_page(request, codes, first_time=False)


@login_required
@require_POST
def two_factor_disable(request):
    _done, failed = _with_code(
        request, "disable", lambda code: two_factor.disable(request.user, code)
    )
    if failed:
        return failed
    messages.success(request, _("Two-factor login is off."))
    return redirect("accounts:two_factor")


def _subject(request, pk) -> User:
    """Another account whose security the caller administers, or 404."""
    subject = get_visible_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    if not rules.can_view_security(request.user, subject):
        raise Http404
    return subject


@role_required(AdminRole.SECURITY)
def account_security(request, pk):
    """The security administrator above sees an account's two-factor state and open sessions,
    resets a lost device and ends the sessions (强制下线)."""
    subject = _subject(request, pk)
    context = {
        "subject": subject,
        "state": two_factor.status_of(subject),
        "page": paginate(sessions.alive_of(subject), request.GET),
        "token_count": ApiToken.objects.filter(user=subject, expires_at__gt=timezone.now()).count(),
    }
    return render(request, "accounts/account_security.html", context)


def _act_on_subject(request, subject, action, success_message: str):
    """Run a domain action on another account: its refusal or its success as a message."""
    try:
        action(subject)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success_message)


@role_required(AdminRole.SECURITY)
@require_POST
def two_factor_reset(request, pk):
    subject = _subject(request, pk)
    _act_on_subject(
        request,
        subject,
        lambda subject: two_factor.reset(request.user, subject),
        _(
            "Two-factor login has been reset and every session of the account has ended. "
            "The holder sets it up again at the next login."
        ),
    )
    return redirect("accounts:account_security", pk=subject.pk)


@role_required(AdminRole.SECURITY)
@require_POST
def account_sessions_end(request, pk):
    """强制下线: every session and API token of the account ends."""
    subject = _subject(request, pk)
    try:
        ended = sessions.end_for(request.user, subject)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d session or API token of the account has ended.",
                "%(count)d sessions and API tokens of the account have ended.",
                ended.total,
            )
            % {"count": ended.total},
        )
    return redirect("accounts:account_security", pk=subject.pk)


def _set_active(request, pk, active: bool, success_message: str):
    """停用/启用 by the system administrator above; back to the account's unit page."""
    subject = get_visible_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    _act_on_subject(
        request,
        subject,
        lambda subject: accounts.set_active(request.user, subject, active),
        success_message,
    )
    return redirect("units:detail", pk=subject.unit_id)


@role_required(AdminRole.SYSTEM)
@require_POST
def account_disable(request, pk):
    return _set_active(
        request, pk, False, _("The account is disabled and every session of it has ended.")
    )


@role_required(AdminRole.SYSTEM)
@require_POST
def account_enable(request, pk):
    return _set_active(request, pk, True, _("The account is enabled."))
