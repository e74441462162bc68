"""Accounts: creation with one-time credentials, password changes and resets, unlock, disable."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.accounts import rules
from qnwmh.accounts.credentials import generate_one_time_password
from qnwmh.accounts.domain import sessions
from qnwmh.accounts.enums import AccountKind, AdminRole, LoginChannel, LoginOutcome
from qnwmh.accounts.models import ApiToken, LoginAttempt, User, normalize_username
from qnwmh.audit import context
from qnwmh.audit.domain import record
from qnwmh.core.errors import AlreadyHandled, Conflict, Forbidden, InvalidInput
from qnwmh.units.rules import can_manage_admins_of

USERNAME_ALLOWED = set("abcdefghijklmnopqrstuvwxyz0123456789_.-")


def validate_username(username: str) -> str:
    normalized = normalize_username(username)
    if not (3 <= len(normalized) <= 64) or not set(normalized) <= USERNAME_ALLOWED:
        raise InvalidInput(
            _("A username is 3–64 characters of letters, digits, '_', '.' or '-'."),
            code="invalid_username",
            fields={
                "username": [
                    _("A username is 3–64 characters of letters, digits, '_', '.' or '-'.")
                ]
            },
        )
    return normalized


def _checked_role(kind, admin_role) -> str:
    """An admin account has exactly one role, any other account none (三权分立). There is no
    way to change the role of an existing account: another role is another account."""
    if kind != AccountKind.ADMIN:
        if admin_role:
            raise InvalidInput(code="invalid_role")
        return ""
    if admin_role not in AdminRole.values:
        message = _("Choose the administrator role of the account.")
        raise InvalidInput(message, code="invalid_role", fields={"admin_role": [message]})
    return admin_role


def create_account(
    *, kind, username, display_name, unit, created_by=None, admin_role=""
) -> tuple[User, str]:
    """A new account with a random one-time password, returned once and never stored in clear.
    No default or shared password exists anywhere."""
    admin_role = _checked_role(kind, admin_role)
    username = validate_username(username)
    if User.objects.filter(username=username).exists():
        raise Conflict(
            _("The username %(username)s is already taken.") % {"username": username},
            code="username_taken",
            fields={"username": [_("Already taken.")]},
        )
    one_time_password = generate_one_time_password()
    user = User(
        kind=kind,
        admin_role=admin_role,
        username=username,
        display_name=display_name.strip(),
        unit=unit,
        created_by=created_by,
        must_change_password=True,
    )
    user.set_password(one_time_password)
    user.save()
    record(
        "account.create",
        actor=created_by,
        obj=user,
        scope_unit=unit,
        changes={
            "username": [None, username],
            "kind": [None, kind],
            **({"admin_role": [None, admin_role]} if admin_role else {}),
            "unit": [None, unit.name if unit else None],
        },
    )
    return user, one_time_password


@transaction.atomic
def create_unit_admin(
    actor, unit, *, username, display_name, admin_role=AdminRole.BUSINESS
) -> tuple[User, str]:
    """The system administrator of an ancestor (or of the unit itself) creates an admin account
    of the unit, with its one role (三权分立). The actor's own account keeps its one role: a
    second role is only ever a second account, created, audited and shown to the audit
    administrator like any other."""
    if not can_manage_admins_of(actor, unit):
        raise Forbidden()
    return create_account(
        kind=AccountKind.ADMIN,
        username=username,
        display_name=display_name,
        unit=unit,
        created_by=actor,
        admin_role=admin_role,
    )


@transaction.atomic
def reset_password(actor, target) -> str:
    """忘记密码: the admin above issues a new one-time password; the old one stops working."""
    if not rules.can_reset_password(actor, target):
        raise Forbidden()
    one_time_password = generate_one_time_password()
    target.set_password(one_time_password)
    target.must_change_password = True
    target.locked_until = None
    target.save(update_fields=["password", "must_change_password", "locked_until"])
    ended = sessions.end_all(target)
    record(
        "account.password_reset",
        actor=actor,
        obj=target,
        scope_unit=target.unit,
        changes=ended.changes(),
    )
    return one_time_password


@transaction.atomic
def change_password(
    user,
    old_password,
    new_password,
    *,
    keep_token: ApiToken | None = None,
    keep_session_key: str | None = None,
) -> None:
    """The holder changes the password: required at first login after a one-time password,
    prompted every 90 days for admins. Every other session and API token ends; the one the
    change came from (`keep_session_key` for pages, `keep_token` for the API) stays."""
    if not user.check_password(old_password):
        message = _("The current password is wrong.")
        raise InvalidInput(message, code="wrong_password", fields={"old_password": [message]})
    if old_password == new_password:
        message = _("The new password must differ from the current one.")
        raise InvalidInput(message, code="password_unchanged", fields={"new_password": [message]})
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages),
            code="weak_password",
            fields={"new_password": list(exc.messages)},
        ) from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    ended = sessions.end_all(user, keep_session_key=keep_session_key, keep_token=keep_token)
    record(
        "account.password_change",
        actor=user,
        obj=user,
        scope_unit=user.unit,
        changes=ended.changes(),
    )


@transaction.atomic
def unlock(actor, target) -> None:
    if not rules.can_unlock(actor, target):
        raise Forbidden()
    before = target.locked_until
    target.locked_until = None
    target.save(update_fields=["locked_until"])
    # A fresh start: failures before the unlock no longer count towards a new lock.
    LoginAttempt.objects.create(
        username=target.username,
        user=target,
        ip=context.current().ip,
        channel=LoginChannel.WEB,
        outcome=LoginOutcome.UNLOCKED,
    )
    record(
        "account.unlock",
        actor=actor,
        obj=target,
        scope_unit=target.unit,
        changes={"locked_until": [before.isoformat() if before else None, None]},
    )


@transaction.atomic
def set_active(actor, target, active: bool) -> None:
    """停用/启用账号: the admin above disables or enables an account. Disabling ends every session
    and API token of the account at once (login refuses it from then on)."""
    if not rules.can_disable(actor, target):
        raise Forbidden()
    if not switch_active(actor, target, active):
        raise AlreadyHandled()


@transaction.atomic
def switch_active(actor, target, active: bool) -> bool:
    """The switch of set_active without its permission check, for a change the caller's own
    rules already allow (a collective's login follows its record: collectives/frozen.py).
    Disabling ends every session and API token; either way the audit log records it. False
    when the account already was so (nothing changed, nothing recorded)."""
    changed = User.objects.filter(pk=target.pk, is_active=not active).update(is_active=active)
    if changed != 1:
        return False
    target.is_active = active
    changes = {"is_active": [not active, active]}
    if not active:
        changes |= sessions.end_all(target).changes()
    record(
        "account.enable" if active else "account.disable",
        actor=actor,
        obj=target,
        scope_unit=target.unit,
        changes=changes,
    )
    return True
