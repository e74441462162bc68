"""双因素认证 (TOTP, RFC 6238) with one-time recovery codes (issue 4, 等保 2.0 三级 身份鉴别:
two or more authentication techniques for administrators).

Admins must set it up after their first password change (policy.two_factor_required);
collectives and judges may. A lost device is reset by the admin above: the TOTP goes, every
session and token of the holder ends, and the holder sets it up again."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.accounts import encryption, policy, rules, totp
from qnwmh.accounts.domain import lockout, sessions
from qnwmh.accounts.enums import LoginChannel, LoginOutcome
from qnwmh.accounts.models import RecoveryCode, TwoFactor
from qnwmh.audit.domain import record
from qnwmh.core.errors import AlreadyHandled, Conflict, Forbidden, InvalidInput, TooManyAttempts

TOTP = "totp"
RECOVERY_CODE = "recovery_code"


class TwoFactorSetupRequired(Forbidden):
    """API: 403 for an admin still to set up two-factor login (API.md, Conventions)."""

    code = "otp_setup_required"

    def __init__(self):
        super().__init__(
            _(
                "Administrator accounts must use two-factor login: set it up with "
                "POST /api/v1/auth/otp/setup and POST /api/v1/auth/otp/confirm first."
            )
        )


def has_confirmed_two_factor(user) -> bool:
    """Through the user's cached relation: API auth select_related()s it, so no extra query."""
    try:
        return user.two_factor.confirmed_at is not None
    except TwoFactor.DoesNotExist:
        return False


def setup_pending(user) -> bool:
    """An admin who has changed the one-time password but not yet confirmed two-factor login:
    the pages send them to the setup, the API answers 403 otp_setup_required."""
    return (
        policy.two_factor_required(user)
        and not user.must_change_password
        and not has_confirmed_two_factor(user)
    )


@dataclass
class TwoFactorStatus:
    """What the holder's own page shows; the secret only while the setup is unconfirmed."""

    enabled: bool
    pending_secret: str = ""
    confirmed_at: object = None
    recovery_codes_left: int = 0


def status_of(user) -> TwoFactorStatus:
    found = TwoFactor.objects.filter(user=user).first()
    if found is None:
        return TwoFactorStatus(enabled=False)
    if not found.confirmed:
        return TwoFactorStatus(enabled=False, pending_secret=found.secret)
    left = found.recovery_codes.filter(used_at__isnull=True).count()
    return TwoFactorStatus(enabled=True, confirmed_at=found.confirmed_at, recovery_codes_left=left)


def _invalid_code() -> InvalidInput:
    message = _("The verification code is wrong or has already been used.")
    return InvalidInput(message, code="invalid_otp", fields={"otp": [message]})


@transaction.atomic
def start_setup(user) -> tuple[str, str]:
    """A fresh secret for the holder to enter into an authenticator app; replaces an unconfirmed
    one. Returns (base32 secret, otpauth URI); neither is stored anywhere else nor logged."""
    existing = TwoFactor.objects.select_for_update().filter(user=user).first()
    if existing is not None and existing.confirmed:
        raise Conflict(
            _("Two-factor login is already on for this account."),
            code="two_factor_already_enabled",
        )
    secret = totp.new_secret()
    TwoFactor.objects.update_or_create(
        user=user,
        defaults={
            "secret_encrypted": encryption.encrypt(secret),
            "confirmed_at": None,
            "last_time_step": None,
        },
    )
    record("account.two_factor_setup", actor=user, obj=user, scope_unit=user.unit)
    return secret, totp.provisioning_uri(secret, user.username)


def _new_recovery_codes(two_factor: TwoFactor) -> list[str]:
    codes = totp.new_recovery_codes()
    two_factor.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(two_factor=two_factor, code_hash=totp.hash_recovery_code(code))
        for code in codes
    )
    return codes


@transaction.atomic
def confirm_setup(user, code: str) -> list[str]:
    """The holder proves the authenticator works by typing its current code; two-factor login is
    on from now. Returns the 10 recovery codes, shown this once."""
    pending = TwoFactor.objects.filter(user=user).first()
    if pending is None:
        raise Conflict(_("Start the two-factor setup first."), code="two_factor_setup_not_started")
    if pending.confirmed:
        raise AlreadyHandled(_("Two-factor login is already on for this account."))
    now = timezone.now()
    step = totp.matching_time_step(pending.secret, totp.normalize_code(code), now=now)
    if step is None:
        raise _invalid_code()
    # The stored secret in the filter: a setup restarted meanwhile (another tab) makes this one
    # lose (each encryption differs, so a new secret is always a new value).
    won = TwoFactor.objects.filter(
        pk=pending.pk, confirmed_at__isnull=True, secret_encrypted=pending.secret_encrypted
    ).update(confirmed_at=now, last_time_step=step)
    if won != 1:
        raise AlreadyHandled()
    codes = _new_recovery_codes(pending)
    record(
        "account.two_factor_enable",
        actor=user,
        obj=user,
        scope_unit=user.unit,
        changes={"two_factor": [False, True], "recovery_codes": [0, len(codes)]},
    )
    return codes


def verify_code(user, raw_code: str, *, now) -> str | None:
    """Accept a current TOTP code (±1 step, never a step at or before the last accepted one) or
    an unused recovery code, each once. Returns TOTP or RECOVERY_CODE, None when refused.
    Compare-and-swap updates: two requests racing with one code cannot both win."""
    found = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    if found is None:
        return None
    code = totp.normalize_code(raw_code)
    if totp.is_totp_code(code):
        step = totp.matching_time_step(found.secret, code, now=now, after=found.last_time_step)
        if step is None:
            return None
        fresher = Q(last_time_step__isnull=True) | Q(last_time_step__lt=step)
        won = TwoFactor.objects.filter(fresher, pk=found.pk).update(last_time_step=step)
        return TOTP if won == 1 else None
    used = RecoveryCode.objects.filter(
        two_factor=found, code_hash=totp.hash_recovery_code(code), used_at__isnull=True
    ).update(used_at=now)
    if used != 1:
        return None
    left = found.recovery_codes.filter(used_at__isnull=True).count()
    record(
        "account.recovery_code_use",
        actor=user,
        obj=user,
        scope_unit=user.unit,
        changes={"recovery_codes": [left + 1, left]},
    )
    return RECOVERY_CODE


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(two_factor__user=user, used_at__isnull=True).count()


def _verify_for_change(user, code: str, channel: str) -> None:
    """A change to the holder's two-factor login needs a current code; a wrong one counts
    towards the lockout like a wrong code at login (no guessing behind an open session)."""
    now = timezone.now()
    if user.is_locked(now):
        raise TooManyAttempts(lockout_message())
    if verify_code(user, code, now=now) is None:
        outcome = lockout.register_failure(
            username=user.username,
            user=user,
            channel=channel,
            outcome=LoginOutcome.BAD_OTP,
            now=now,
        )
        if outcome == LoginOutcome.LOCKED:
            raise TooManyAttempts(lockout_message())
        raise _invalid_code()


def lockout_message() -> str:
    return lockout.login_message(LoginOutcome.LOCKED)


def regenerate_recovery_codes(user, code: str, *, channel=LoginChannel.WEB) -> list[str]:
    """New recovery codes (the old ones stop working), for a holder who used or lost theirs.
    The code is checked outside the transaction so a failure stays recorded."""
    _verify_for_change(user, code, channel)
    with transaction.atomic():
        found = TwoFactor.objects.select_for_update().filter(user=user).first()
        if found is None or not found.confirmed:
            raise AlreadyHandled()
        codes = _new_recovery_codes(found)
        record(
            "account.recovery_codes_regenerate",
            actor=user,
            obj=user,
            scope_unit=user.unit,
            changes={"recovery_codes": [None, len(codes)]},
        )
    return codes


def disable(user, code: str, *, channel=LoginChannel.WEB) -> None:
    """A collective or judge turns its optional two-factor login off; admins may not."""
    if policy.two_factor_required(user):
        raise Forbidden(
            _("Administrators must keep two-factor login on."), code="two_factor_required"
        )
    if not TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise Conflict(_("Two-factor login is not on for this account."), code="two_factor_off")
    _verify_for_change(user, code, channel)
    with transaction.atomic():
        deleted, _rows = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).delete()
        if not deleted:
            raise AlreadyHandled()
        record(
            "account.two_factor_disable",
            actor=user,
            obj=user,
            scope_unit=user.unit,
            changes={"two_factor": [True, False]},
        )


@transaction.atomic
def reset(actor, target) -> sessions.Ended:
    """Lost device (丢失设备): the admin above removes the holder's two-factor login; every
    session and API token of the holder ends, and the holder must set it up again (admins at
    their next login). Returns what ended."""
    if not rules.can_reset_two_factor(actor, target):
        raise Forbidden()
    found = TwoFactor.objects.select_for_update().filter(user=target).first()
    if found is None:
        raise Conflict(_("This account has no two-factor login to reset."), code="two_factor_off")
    was_confirmed = found.confirmed
    found.delete()
    ended = sessions.end_all(target)
    record(
        "account.two_factor_reset",
        actor=actor,
        obj=target,
        scope_unit=target.unit,
        changes={"two_factor": [was_confirmed, False], **ended.changes()},
    )
    return ended
