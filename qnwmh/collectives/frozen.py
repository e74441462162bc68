"""Frozen legacy records (数据合格 = 否, seeds 000 Q3): what they still lack, completing and
unfreezing them, or deleting them instead."""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from qnwmh.accounts import domain as accounts
from qnwmh.audit.domain import diff, record, snapshot
from qnwmh.collectives import rules
from qnwmh.collectives.domain import DETAIL_FIELDS, lock, raise_for, save_details
from qnwmh.collectives.models import Collective
from qnwmh.collectives.validators import validate_fields
from qnwmh.collectives.workflow import COLLECTIVE_DATA
from qnwmh.core.errors import Conflict, Forbidden
from qnwmh.workflow import engine

# A record is complete (数据合格) when these hold valid values.
REQUIRED_FIELDS = ["line", "ownership"]


def missing_fields(collective: Collective) -> dict[str, list[str]]:
    """What keeps a record from being complete: {field: [message]} (empty when complete)."""
    _values, errors = validate_fields(
        {field: getattr(collective, field) for field in REQUIRED_FIELDS}, unit=collective.unit
    )
    return errors


@transaction.atomic
def unfreeze(actor, collective: Collective, **fields) -> Collective:
    """完善信息 and 数据合格 = 是 (seeds 000 Q3): the admin supplies what the legacy record
    lacked; the record must then be complete. The change of state is the workflow's unfreeze
    (workflow.py: history, audit, the login enabled again)."""
    if not engine.permitted(COLLECTIVE_DATA.action("unfreeze"), actor, collective):
        raise Forbidden()
    allowed = [*REQUIRED_FIELDS, *DETAIL_FIELDS]
    unknown = set(fields) - set(allowed)
    if unknown:
        raise_for({field: [_("This field cannot be changed here.")] for field in sorted(unknown)})
    locked = lock(collective)
    engine.authorise(COLLECTIVE_DATA, "unfreeze", actor, locked)
    values, errors = validate_fields(fields, unit=locked.unit)
    raise_for(errors)
    before = snapshot(locked, [*allowed, "data_ok", "frozen_reasons"])
    for field, value in values.items():
        setattr(locked, field, value)
    raise_for(missing_fields(locked))
    if values:
        save_details(locked, list(values))
    after = {**snapshot(locked, allowed), "data_ok": True, "frozen_reasons": []}
    return engine.transition(
        COLLECTIVE_DATA,
        "unfreeze",
        actor,
        locked,
        updates={"frozen_reasons": []},
        changes=diff(before, after),
    )


@transaction.atomic
def delete_frozen(actor, collective: Collective) -> None:
    """Delete a frozen legacy record instead of completing it (seeds 000 Q3: the admin "也可删除
    该集体信息" and creates it anew). Only frozen records, and only without registrations.
    Its login goes too; if the login was ever used (login history), it stays, disabled."""
    if not rules.can_manage_collective(actor, collective):
        raise Forbidden()
    locked = lock(collective)
    if locked.data_ok:
        raise Conflict(_("Only frozen records can be deleted."), code="not_frozen")
    if locked.registrations.exists():
        raise Conflict(
            _("This record has registrations and cannot be deleted."), code="has_registrations"
        )
    record(
        "collective.delete",
        actor=actor,
        obj=locked,
        scope_unit=locked.unit,
        changes={
            "code": [locked.code, None],
            "name": [locked.name, None],
            "frozen_reasons": [locked.frozen_reasons, None],
        },
    )
    account = locked.user
    locked.delete()
    if account is not None:
        try:
            with transaction.atomic():
                account.delete()
        except ProtectedError:
            # Kept for its login history: disabled, its sessions and tokens ended, audited.
            accounts.switch_active(actor, account, False)
