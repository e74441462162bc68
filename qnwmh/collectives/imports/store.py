"""Storing one checked row (the demo data, and a chunk that met a concurrent write): the row's
name and unit checked, the rest assessed (rows.assess), the collective created with its
login, or the holder named when it already exists."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import User
from qnwmh.audit.domain import record
from qnwmh.collectives import codes, domain, duplicates, validators
from qnwmh.collectives.imports import rows as legacy
from qnwmh.collectives.imports.chunks import (
    REJECTED,
    Holder,
    Prepared,
    RowOutcome,
    exists_outcome,
    settle_code,
    stored_outcome,
)
from qnwmh.collectives.imports.units import RowRejected, UnitIndex
from qnwmh.collectives.models import Collective
from qnwmh.collectives.names import name_key
from qnwmh.core.errors import Conflict
from qnwmh.units.models import Unit


def prepare(row: legacy.LegacyRow, units: UnitIndex) -> Prepared | RowOutcome:
    """A row with its name and unit checked and the rest assessed, or its rejection."""
    try:
        name = _row_name(row)
        unit = units.resolve(row.text("unit"))
    except RowRejected as exc:
        return RowOutcome(REJECTED, [exc.message])
    return Prepared(row.line, name, name_key(name), unit, legacy.assess(row, name, unit))


def import_row(actor, row: legacy.LegacyRow, units: UnitIndex, source: str) -> RowOutcome:
    """One row, atomically: rejected, already there, or created (frozen when incomplete).
    Frozen reasons are stored data: always written in the site's language (Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        prepared = prepare(row, units)
        if isinstance(prepared, RowOutcome):
            return prepared
        return store_row(actor, prepared, source)


def store_row(actor, row: Prepared, source: str) -> RowOutcome:
    """Store one prepared row on its own (the demo data, and a chunk that met a concurrent
    write): a dozen queries, where a chunk needs a few for a thousand rows."""
    existing = _existing(row.name, row.assessed)
    if existing is not None:
        return _exists(existing)
    try:
        with transaction.atomic():
            collective = create_imported(actor, row.assessed, row.unit, f"{source} 第{row.line}行")
    except Conflict:  # the same name came in concurrently
        return _exists(duplicates.holder_of_name(row.name))
    return stored_outcome(collective.frozen_reasons, row.assessed.notes)


def _row_name(row: legacy.LegacyRow) -> str:
    if not row.text("name"):
        raise RowRejected(_("The collective's name is missing; the row was not imported."))
    try:
        return validators.clean_collective_name(row.text("name"))
    except validators.FieldError as exc:
        raise RowRejected(
            _("%(problem)s The row was not imported.") % {"problem": exc.message}
        ) from exc


def _existing(name: str, assessed: legacy.Assessed) -> Collective | None:
    existing = duplicates.holder_of_name(name)
    if existing is None and assessed.usable_code:
        existing = (
            Collective.objects.select_related("unit")
            .filter(legacy_code=assessed.usable_code)
            .first()
        )
    return existing


def _exists(existing: Collective) -> RowOutcome:
    return exists_outcome(Holder(existing.pk, existing.name, existing.code, existing.unit.name))


def create_imported(actor, assessed: legacy.Assessed, unit: Unit, source: str) -> Collective:
    """Store one assessed row with its login (unusable password; disabled while frozen)."""
    code, reasons = settle_code(assessed, domain.code_taken)
    if code is None:
        code = codes.new_unique_code(domain.code_taken)
    data_ok = not reasons
    account = User(
        kind=AccountKind.COLLECTIVE,
        username=code,
        display_name=domain.account_label(assessed.fields["name"]),
        unit=unit,
        created_by=actor,
        must_change_password=True,
        is_active=data_ok,
    )
    account.set_unusable_password()
    account.save()
    record(
        "account.create",
        actor=actor,
        obj=account,
        scope_unit=unit,
        changes={"username": [None, code], "kind": [None, account.kind], "unit": [None, unit.name]},
    )
    collective = domain.insert_collective(
        Collective(
            code=code,
            unit=unit,
            user=account,
            created_by=actor,
            data_ok=data_ok,
            frozen_reasons=reasons,
            legacy_source=source[:200],
            legacy_code=assessed.legacy_code,
            **assessed.fields,
        )
    )
    if assessed.title:
        collective.titles.create(**assessed.title)
    record(
        "collective.import",
        actor=actor,
        obj=collective,
        scope_unit=unit,
        changes={
            "code": [None, code],
            "name": [None, collective.name],
            "data_ok": [None, data_ok],
            "frozen_reasons": [None, collective.frozen_reasons],
            "legacy_source": [None, collective.legacy_source],
        },
    )
    return collective
