"""API v1 /auth: tokens, password change, two-factor setup (../shared/API.md, Conventions)."""

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import AuthenticationError

from qnwmh.accounts import domain, policy
from qnwmh.accounts.api_auth import BearerAuthOneTimeAllowed, BearerAuthTwoFactorSetup
from qnwmh.accounts.domain import two_factor
from qnwmh.accounts.enums import AdminRole, LoginChannel, LoginOutcome
from qnwmh.core.access import require_role
from qnwmh.core.api import ERRORS, Id
from qnwmh.core.errors import DomainError, TooManyAttempts
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.units.models import Unit

router = Router(tags=["auth"])
# A unit's admin accounts: mounted under /units beside the unit tree's own router.
unit_admins_router = Router(tags=["units"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = Field(
        None, description="TOTP code (6 digits) or a recovery code, for accounts with two-factor"
    )


class TokenOut(Schema):
    token: str
    must_change_password: bool
    otp_setup_required: bool
    password_change_due: bool


class PasswordIn(Schema):
    old_password: str
    new_password: str


class OkOut(Schema):
    ok: bool


class OtpSetupOut(Schema):
    secret: str
    otpauth_uri: str


class OtpIn(Schema):
    otp: str = Field(..., max_length=32)


class RecoveryCodesOut(Schema):
    recovery_codes: list[str]


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"


class OtpRequired(DomainError):
    """401 for a two-factor account whose request lacks a right, unused code (API.md)."""

    status = 401
    code = "otp_required"


_TOO_MANY = (LoginOutcome.LOCKED, LoginOutcome.THROTTLED)
_SECOND_FACTOR = (LoginOutcome.OTP_REQUIRED, LoginOutcome.BAD_OTP)


@router.post("/token", response={200: TokenOut, **ERRORS}, auth=None)
def token(request, payload: TokenIn):
    result = domain.authenticate_login(
        payload.username[:150],
        payload.password[:256],
        channel=LoginChannel.API,
        otp=(payload.otp or "")[:32] or None,
    )
    if result.outcome in _TOO_MANY:
        raise TooManyAttempts(result.message, code=result.outcome)
    if result.outcome in _SECOND_FACTOR:
        raise OtpRequired(result.message)
    if not result.ok:
        raise InvalidCredentials(result.message, code=result.outcome)
    user = result.user
    return {
        "token": domain.issue_api_token(user),
        "must_change_password": user.must_change_password,
        "otp_setup_required": two_factor.setup_pending(user),
        "password_change_due": policy.password_change_due(user, timezone.now()),
    }


@router.post("/password", response={200: OkOut, **ERRORS}, auth=BearerAuthOneTimeAllowed())
def password(request, payload: PasswordIn):
    domain.change_password(
        request.user, payload.old_password, payload.new_password, keep_token=request.api_token
    )
    return {"ok": True}


@router.post("/otp/setup", response={200: OtpSetupOut, **ERRORS}, auth=BearerAuthTwoFactorSetup())
def otp_setup(request, response: HttpResponse):
    """A new TOTP secret (base32) and its otpauth:// URI; replaces an unconfirmed one."""
    secret, uri = two_factor.start_setup(request.user)
    response["Cache-Control"] = "no-store"
    return {"secret": secret, "otpauth_uri": uri}


@router.post(
    "/otp/confirm", response={200: RecoveryCodesOut, **ERRORS}, auth=BearerAuthTwoFactorSetup()
)
def otp_confirm(request, payload: OtpIn, response: HttpResponse):
    """The current code turns two-factor login on; the 10 recovery codes come back once."""
    codes = two_factor.confirm_setup(request.user, payload.otp)
    response["Cache-Control"] = "no-store"
    return {"recovery_codes": codes}


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


@unit_admins_router.post("/{unit_id}/admins", response={201: AdminOut, **ERRORS})
def create_admin(request, unit_id: Path[Id], payload: AdminIn):
    """Admin accounts of a unit are the system administrator's (三权分立)."""
    require_role(request.user, AdminRole.SYSTEM)
    unit = get_visible_or_404(Unit, request.user, pk=unit_id)
    account, one_time_password = domain.create_unit_admin(
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


__all__ = ["AuthenticationError", "router", "unit_admins_router"]
