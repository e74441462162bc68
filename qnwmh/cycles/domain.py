"""Cycles (届次): creating and editing them, and replacing their quota table (名额). Each
function checks the permission, validates, saves and writes the audit entry, in that order."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qnwmh.audit.domain import diff, record
from qnwmh.core import paths
from qnwmh.core.errors import Conflict, Forbidden, InvalidInput
from qnwmh.cycles import rules
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.cycles.validators import (
    CYCLE_FIELDS,
    CycleInput,
    QuotaRow,
    ordered_levels,
    validate_cycle,
    validate_quota_rows,
)
from qnwmh.units.models import Unit


def resolve_unit(actor, unit_id) -> Unit | None:
    """The organising unit named by id, if the actor may see it (else None: never a hint that
    a unit outside the subtree exists)."""
    if unit_id is None:
        return None
    return Unit.objects.visible_to(actor).filter(pk=unit_id).first()


def resolve_previous(actor, cycle_id) -> Cycle | None:
    if cycle_id is None:
        return None
    return Cycle.objects.visible_to(actor).filter(pk=cycle_id).first()


def resolve_references(actor, unit_id, previous_id) -> tuple[Unit, Cycle | None]:
    """The organising unit and previous cycle named by id in a request, or 400 naming the field
    — the same answer whether the row is missing or outside the actor's scope."""
    errors = {}
    unit = resolve_unit(actor, unit_id)
    if unit is None:
        errors["unit"] = [_("Choose a unit within your jurisdiction.")]
    previous = resolve_previous(actor, previous_id)
    if previous_id is not None and previous is None:
        errors["previous"] = [_("Choose one of the cycles you can see.")]
    if errors:
        raise _invalid(errors)
    return unit, previous


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput(next(iter(errors.values()))[0], fields=errors)


def _check_settings(actor, data: CycleInput, *, instance=None) -> None:
    errors = validate_cycle(data, instance=instance)
    if data.unit is not None and not rules.can_create_cycle_for(actor, data.unit):
        errors.setdefault("unit", []).append(_("Choose a unit within your jurisdiction."))
    if errors:
        raise _invalid(errors)


def _values(data: CycleInput) -> dict:
    values = {name: getattr(data, name) for name in CYCLE_FIELDS}
    values["prior_title_levels"] = ordered_levels(data.prior_title_levels or [])
    return values


def _audit_view(cycle: Cycle) -> dict:
    """What the audit shows of a cycle: plain values, units and cycles by name."""
    view = {name: getattr(cycle, name) for name in CYCLE_FIELDS}
    view["unit"] = cycle.unit.name
    view["previous"] = cycle.previous.name if cycle.previous else None
    return view


def _name_taken(unit, name: str) -> Conflict:
    message = _("%(unit)s already runs a cycle named %(name)s.") % {
        "unit": unit.name,
        "name": name,
    }
    return Conflict(message, code="cycle_exists", fields={"name": [message]})


def _save(cycle: Cycle) -> None:
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError as exc:  # a concurrent save of the same name won the race
        raise _name_taken(cycle.unit, cycle.name) from exc


@transaction.atomic
def create_cycle(actor, data: CycleInput) -> Cycle:
    """A tier-0/1 admin opens a cycle run by a unit of its subtree; rules not given take the
    defaults of the level (seeds 001, 003, 004)."""
    if not rules.is_cycle_organiser(actor):
        raise Forbidden(_("Only the national committee and tier-1 admins set up cycles."))
    data.with_defaults()
    _check_settings(actor, data)
    if Cycle.objects.filter(unit=data.unit, name=data.name).exists():
        raise _name_taken(data.unit, data.name)
    cycle = Cycle(**_values(data), created_by=actor)
    _save(cycle)
    record(
        "cycle.create",
        actor=actor,
        obj=cycle,
        scope_unit=cycle.unit,
        changes=diff({}, _audit_view(cycle)),
    )
    return cycle


@transaction.atomic
def update_cycle(actor, cycle: Cycle, data: CycleInput) -> Cycle:
    """Edit a cycle's name, window and rule settings; the before/after goes to the audit."""
    cycle = (
        Cycle.objects.select_for_update(of=("self",))
        .select_related("unit", "previous")
        .get(pk=cycle.pk)
    )
    if not rules.can_edit_cycle(actor, cycle):
        raise Forbidden()
    data.with_defaults()
    _check_settings(actor, data, instance=cycle)
    clash = Cycle.objects.filter(unit=data.unit, name=data.name).exclude(pk=cycle.pk)
    if clash.exists():
        raise _name_taken(data.unit, data.name)
    before = _audit_view(cycle)
    for name, value in _values(data).items():
        setattr(cycle, name, value)
    changes = diff(before, _audit_view(cycle))
    if not changes:
        return cycle
    _save(cycle)
    record("cycle.update", actor=actor, obj=cycle, scope_unit=cycle.unit, changes=changes)
    return cycle


def quota_table(cycle: Cycle) -> list[Quota]:
    return list(cycle.quotas.select_related("unit").order_by("unit__path"))


def _allowed_units(cycle: Cycle, rows: list[QuotaRow]) -> dict[int, Unit]:
    """The named units that lie strictly below the organising unit (one indexed range query)."""
    ids = {row.unit for row in rows if isinstance(row.unit, int)}
    below = Unit.objects.filter(pk__in=ids, **paths.subtree_filter("path", cycle.unit.path))
    return {unit.pk: unit for unit in below.exclude(pk=cycle.unit_id)}


def _table_view(quotas) -> dict[str, list[int]]:
    return {
        q.unit.name: [q.required_registrations, q.evaluation_quota]
        for q in sorted(quotas, key=lambda q: q.unit.path)
    }


@transaction.atomic
def set_quotas(actor, cycle: Cycle, rows: list[QuotaRow]) -> list[Quota]:
    """The owner replaces the quota table of a cycle (附件1 各地网络创建数量要求一览表): all rows
    valid or nothing saved; a row of two zeros means no quota and is not kept; the whole table
    before and after goes to the audit."""
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cycle.pk)
    if not rules.can_manage_quotas(actor, cycle):
        raise Forbidden(_("Only the cycle's organising unit and the units above it set quotas."))
    units = _allowed_units(cycle, rows)
    errors = validate_quota_rows(rows, set(units))
    if errors:
        raise _invalid(errors)
    before = quota_table(cycle)
    cycle.quotas.all().delete()
    Quota.objects.bulk_create(
        Quota(
            cycle=cycle,
            unit=units[row.unit],
            required_registrations=row.required_registrations,
            evaluation_quota=row.evaluation_quota,
        )
        for row in rows
        if row.required_registrations or row.evaluation_quota
    )
    after = quota_table(cycle)
    record(
        "cycle.quotas",
        actor=actor,
        obj=cycle,
        scope_unit=cycle.unit,
        changes={"quotas": [_table_view(before), _table_view(after)]},
    )
    return after
