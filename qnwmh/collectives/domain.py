"""Collectives (集体): creating codes, renaming with former names, details, passwords and
jurisdiction. Every function checks the actor's permission (rules.py), validates
(validators.py), saves, and writes the audit log, in that order. Near-duplicates and the 409 are
in duplicates.py, frozen legacy records in frozen.py.

One collective, one code (seeds 000 附件3 步骤一, Q4): the canonical name's key is unique across
the country, former names included, so re-creating a collective answers with its existing code
(409 `collective_exists`) instead of minting a second one.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qnwmh.accounts import domain as accounts_domain
from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import User
from qnwmh.audit.domain import diff, record, snapshot
from qnwmh.collectives import codes, rules
from qnwmh.collectives.duplicates import exists_error, holder_of_name
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.collectives.names import loose_key, name_key
from qnwmh.collectives.validators import validate_fields
from qnwmh.core.errors import AlreadyHandled, Conflict, Forbidden, InvalidInput
from qnwmh.units.enums import Line

DETAIL_FIELDS = ["industry", "ownership", "leader_name", "phone"]


def account_label(name: str) -> str:
    """The login's display name: the canonical name, cut to what an account holds (100)."""
    return name[: User._meta.get_field("display_name").max_length]


def raise_for(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)


def code_taken(code: str) -> bool:
    return (
        Collective.objects.filter(code=code).exists() or User.objects.filter(username=code).exists()
    )


@transaction.atomic
def create_collective(
    actor,
    *,
    name,
    unit,
    line,
    industry="",
    ownership=Ownership.PUBLIC,
    leader_name="",
    phone="",
) -> tuple[Collective, str]:
    """新建集体: an admin over `unit` creates the collective and its login (the code) with a
    one-time password shown once (seeds 000 附件3 步骤一). An existing canonical or former
    name answers 409 with the existing code instead."""
    if not rules.can_create_collective(actor, unit):
        raise Forbidden()
    values, errors = validate_fields(
        {
            "name": name,
            "line": line,
            "industry": industry,
            "ownership": ownership,
            "leader_name": leader_name,
            "phone": phone,
        },
        unit=unit,
    )
    raise_for(errors)
    existing = holder_of_name(values["name"])
    if existing is not None:
        raise exists_error(existing, actor)
    code = codes.new_unique_code(code_taken)
    account, one_time_password = accounts_domain.create_account(
        kind=AccountKind.COLLECTIVE,
        username=code,
        display_name=account_label(values["name"]),
        unit=unit,
        created_by=actor,
    )
    collective = insert_collective(
        Collective(code=code, unit=unit, user=account, created_by=actor, **values), actor
    )
    record(
        "collective.create",
        actor=actor,
        obj=collective,
        scope_unit=unit,
        changes={key: [None, value] for key, value in [("code", code), *values.items()]},
    )
    return collective, one_time_password


def insert_collective(collective: Collective, actor=None) -> Collective:
    """Save a new collective; a concurrent creation of the same name loses with 409."""
    collective.name_key = name_key(collective.name)
    collective.loose_key = loose_key(collective.name)
    collective.unit_path = collective.unit.path
    _save_name(collective, actor)
    return collective


def _save_name(collective: Collective, actor=None, **save_kwargs) -> None:
    """Save under the unique name key: the loser of two concurrent saves of one name gets 409."""
    try:
        with transaction.atomic():
            collective.save(**save_kwargs)
    except IntegrityError as exc:
        existing = holder_of_name(collective.name, exclude_pk=collective.pk)
        if existing is None:
            raise
        raise exists_error(existing, actor) from exc


def lock(collective: Collective) -> Collective:
    return (
        Collective.objects.select_for_update(of=("self",))
        .select_related("unit", "user")
        .get(pk=collective.pk)
    )


@transaction.atomic
def rename(actor, collective: Collective, new_name: str) -> Collective:
    """改名: the admin edits the canonical name; the old one goes to 曾用名 (seeds 000 Q5). The
    new name must not be any other collective's canonical or former name."""
    if not rules.can_manage_collective(actor, collective):
        raise Forbidden()
    values, errors = validate_fields({"name": new_name})
    raise_for(errors)
    locked = lock(collective)
    name, key = values["name"], name_key(values["name"])
    if name == locked.name:
        message = _("The new name is the same as the current one.")
        raise InvalidInput(message, code="name_unchanged", fields={"name": [message]})
    existing = holder_of_name(name, exclude_pk=locked.pk)
    if existing is not None:
        raise exists_error(existing, actor)
    # Renaming back to a former name makes it current again, not former.
    locked.former_names.filter(name_key=key).delete()
    if locked.name_key != key:  # a mere change of punctuation or width is no former name
        FormerName.objects.create(
            collective=locked,
            name=locked.name,
            name_key=locked.name_key,
            loose_key=locked.loose_key,
            replaced_by=actor,
        )
    old_name = locked.name
    locked.name, locked.name_key, locked.loose_key = name, key, loose_key(name)
    _save_name(locked, actor, update_fields=["name", "name_key", "loose_key"])
    User.objects.filter(pk=locked.user_id).update(display_name=account_label(name))
    record(
        "collective.rename",
        actor=actor,
        obj=locked,
        scope_unit=locked.unit,
        changes={"name": [old_name, name]},
    )
    return locked


@transaction.atomic
def update_details(actor, collective: Collective, **fields) -> Collective:
    """Edit industry, ownership, title leader and phone. The name changes only through `rename`
    (it keeps the former name), the unit and line only through `transfer`."""
    if not rules.can_manage_collective(actor, collective):
        raise Forbidden()
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise_for({field: [_("This field cannot be changed here.")] for field in sorted(unknown)})
    values, errors = validate_fields(fields)
    raise_for(errors)
    locked = lock(collective)
    before = snapshot(locked, list(values))
    for field, value in values.items():
        setattr(locked, field, value)
    changes = diff(before, snapshot(locked, list(values)))
    if changes:
        save_details(locked, list(values))
        record(
            "collective.update", actor=actor, obj=locked, scope_unit=locked.unit, changes=changes
        )
    return locked


def recounting_registrations(collective: Collective, **filters):
    """The block changes what the collective's registrations count as on the progress dashboard
    (ownership, titles): move their subtree counts in the same transaction. Imported at call
    time: registrations comes after collectives in the import order (docs/architecture.md)."""
    from qnwmh.registrations import counts

    registrations = counts.of_collective(collective.pk).filter(**filters)
    return counts.recounting(registrations, collective_id=collective.pk)


def save_details(collective: Collective, fields: list[str]) -> None:
    """Save changed fields; a new ownership moves the counts of the registrations that leave
    theirs blank (they take the collective's)."""
    if "ownership" not in fields:
        collective.save(update_fields=fields)
        return
    with recounting_registrations(collective, ownership=""):
        collective.save(update_fields=fields)


def _frozen_error() -> Conflict:
    return Conflict(
        _("This record is frozen (data qualified: no). Complete and unfreeze it first."),
        code="collective_frozen",
    )


def reset_password(actor, collective: Collective) -> str:
    """忘记密码: the admin above issues a new one-time password (seeds 000 Q2). A collective
    that has no login yet (made before accounts existed) gets one now."""
    if not rules.can_manage_collective(actor, collective):
        raise Forbidden()
    if not collective.data_ok:
        raise _frozen_error()
    if collective.user_id is None:
        return _create_missing_account(actor, collective)
    return accounts_domain.reset_password(actor, collective.user)


@transaction.atomic
def _create_missing_account(actor, collective: Collective) -> str:
    locked = lock(collective)
    if locked.user_id is not None:
        raise AlreadyHandled()
    account, one_time_password = accounts_domain.create_account(
        kind=AccountKind.COLLECTIVE,
        username=locked.code,
        display_name=account_label(locked.name),
        unit=locked.unit,
        created_by=actor,
    )
    Collective.objects.filter(pk=locked.pk).update(user=account)
    collective.user = account
    return one_time_password


def unlock(actor, collective: Collective) -> None:
    """A login locked after failed attempts is unlocked by the admin above."""
    if not rules.can_manage_collective(actor, collective):
        raise Forbidden()
    if collective.user is None:
        raise Conflict(_("This collective has no login yet."), code="no_account")
    accounts_domain.unlock(actor, collective.user)


@transaction.atomic
def transfer(actor, collective: Collective, new_unit) -> Collective:
    """Wrong parent unit (seeds 000 Q4): the upper admin puts the collective on the right unit.
    The same collective and code move with everything they have — former names, titles, profile
    — so "the earlier data follows the canonical name" and no second code is made. Registrations
    keep the unit they were filed through (their channel is history). Below an industry unit the
    collective joins the industry line."""
    # Two objects, two predicates (docs/decisions/009-permissions.md): an admin over both ends
    # (seeds 000 Q4: the upper admin puts it on the right unit).
    if not (
        rules.can_manage_collective.test(actor, collective)
        and rules.is_admin_over.test(actor, new_unit)
    ):
        raise Forbidden()
    locked = lock(collective)
    if locked.unit_id == new_unit.pk:
        message = _("The collective already belongs to %(unit)s.") % {"unit": new_unit.name}
        raise InvalidInput(message, code="same_unit", fields={"unit": [message]})
    old_unit, old_line = locked.unit, locked.line
    locked.unit, locked.unit_path = new_unit, new_unit.path
    if new_unit.line == Line.INDUSTRY:
        locked.line = Line.INDUSTRY
    locked.save(update_fields=["unit", "unit_path", "line"])
    User.objects.filter(pk=locked.user_id).update(unit=new_unit)
    changes = {"unit": [old_unit.name, new_unit.name]}
    if old_line != locked.line:
        changes["line"] = [old_line, locked.line]
    # Recorded in both subtrees, so the admins of the old and of the new unit both see it.
    for scope in (old_unit, new_unit):
        record("collective.transfer", actor=actor, obj=locked, scope_unit=scope, changes=changes)
    return locked
