"""Login (password, then the code when the account has two-factor login), logout, password
change and login history."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qnwmh.accounts import backends, domain, policy
from qnwmh.accounts.domain import sessions, two_factor
from qnwmh.accounts.enums import LoginChannel, LoginOutcome
from qnwmh.accounts.forms import LoginCodeForm, LoginForm, PasswordChangeForm
from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate

# Between the two login steps the session remembers whose password was right, and when.
PENDING_LOGIN_KEY = "qnwmh_pending_login"
_TOO_MANY = (LoginOutcome.LOCKED, LoginOutcome.THROTTLED)


def _next_url(request) -> str:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return ""
    return next_url


def _finish_login(request, user, next_url: str, recovery_codes_left: int | None = None):
    request.session.pop(PENDING_LOGIN_KEY, None)
    # auth.login cycles the session key; the session is indexed by sessions.record_login.
    login(request, user, backend=backends.PATH)
    if recovery_codes_left is not None:
        messages.warning(
            request,
            ngettext(
                "You logged in with a recovery code: %(count)d recovery code is left.",
                "You logged in with a recovery code: %(count)d recovery codes are left.",
                recovery_codes_left,
            )
            % {"count": recovery_codes_left},
        )
    return redirect(next_url or "web:home")


def login_view(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = domain.authenticate_login(
            form.cleaned_data["username"],
            form.cleaned_data["password"],
            channel=LoginChannel.WEB,
        )
        if result.ok:
            return _finish_login(request, result.user, _next_url(request))
        if result.outcome == LoginOutcome.OTP_REQUIRED:
            request.session[PENDING_LOGIN_KEY] = {
                "user": result.user.pk,
                "at": time.time(),
                "next": _next_url(request),
            }
            return redirect("accounts:login_code")
        form.add_error(None, result.message)
        status = 429 if result.outcome in _TOO_MANY else 200
    if request.GET.get("expired"):
        messages.info(request, _("Your session has ended. Please log in again."))
    return render(request, "accounts/login.html", {"form": form}, status=status)


def _pending_login(request) -> dict | None:
    pending = request.session.get(PENDING_LOGIN_KEY)
    if not pending or time.time() - pending["at"] > settings.LOGIN_CODE_STEP_SECONDS:
        request.session.pop(PENDING_LOGIN_KEY, None)
        return None
    return pending


def login_code(request):
    """Second step: the 6-digit code or a recovery code. Reached only after a right password."""
    if request.user.is_authenticated:
        return redirect("web:home")
    pending = _pending_login(request)
    if pending is None:
        messages.info(request, _("Please enter your username and password again."))
        return redirect("accounts:login")
    form = LoginCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = domain.authenticate_second_factor(
            pending["user"], form.cleaned_data["otp"], channel=LoginChannel.WEB
        )
        if result.ok:
            return _finish_login(request, result.user, pending["next"], result.recovery_codes_left)
        if result.outcome == LoginOutcome.BAD_OTP:
            form.add_error("otp", result.message)
        else:
            # Locked, throttled or disabled meanwhile: this login attempt is over.
            request.session.pop(PENDING_LOGIN_KEY, None)
            form.add_error(None, result.message)
            status = 429 if result.outcome in _TOO_MANY else 200
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


@require_POST
def logout_view(request):
    sessions.logout(request.user, request.session.session_key)
    logout(request)
    return redirect("accounts:login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        old_key = request.session.session_key
        try:
            domain.change_password(
                request.user,
                form.cleaned_data["old_password"],
                form.cleaned_data["new_password"],
                keep_session_key=old_key,
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            update_session_auth_hash(request, request.user)
            sessions.rekey(old_key, request.session.session_key)
            messages.success(request, _("Your password has been changed."))
            if two_factor.setup_pending(request.user):
                return redirect("accounts:two_factor")
            return redirect("web:home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "help_texts": password_validators_help_texts(),
            "password_due": policy.password_change_due(request.user, timezone.now()),
            "prompt_days": policy.password_prompt_days(),
        },
    )


@login_required
def history(request):
    attempts = request.user.login_attempts.all()
    page = paginate(attempts, request.GET)
    return render(request, "accounts/history.html", {"page": page, "subject": request.user})
