"""Cycles (届次): creating and editing them, and replacing their quota table (名额). Each
function checks the permission, validates, saves and writes the audit entry, in that order."""

from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from qnwmh.audit.domain import diff, record
from qnwmh.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from qnwmh.cycles import rules
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle, Delegation, Quota
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


def not_an_organiser() -> str:
    return _("Only the national committee and the province, city and county units set up cycles.")


def _check_level(data: CycleInput) -> None:
    """403 when the organising unit does not award the cycle's level."""
    if data.unit is None or data.level not in Level.values:
        return
    if not rules.organises_level(data.unit, data.level):
        raise Forbidden(
            _("%(unit)s does not organise %(level)s cycles: a unit runs cycles of its own level.")
            % {"unit": data.unit.name, "level": Level(data.level).label}
        )


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
    """An admin opens a cycle of its unit's level run by a unit of its subtree of that level
    (API.md: the national committee NATIONAL, a province PROVINCIAL, a city CITY, a county
    COUNTY); rules not given take the defaults of the level (seeds 001, 003, 004); left out
    with a previous cycle, the window opens the day after the previous deadline (001, 004)."""
    if not rules.is_cycle_organiser(actor):
        raise Forbidden(not_an_organiser())
    _check_level(data)
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
    _check_level(data)
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


# --- allocations down the tree (API.md "one 届次 across the tree"; seeds 000 附件1) ----------
#
# A Quota row of unit U is U's allocation: what U's parent (or, for a direct participant, the
# organiser) gave it. The organiser allocates to its direct participants; each unit splits its
# own allocation among its direct children. Evaluation quotas of the children may not add up to
# more than the parent's; required registrations may (the shortfall shows as 未分配).


@dataclass
class Split:
    """The allocation of `unit` and its split among its direct children (the 附件1 table)."""

    cycle: Cycle
    unit: Unit
    allocation: Quota | None  # None for the organiser itself
    children: list[tuple[Unit, Quota | None]]

    def total(self, name: str) -> int:
        return sum(getattr(quota, name) for _unit, quota in self.children if quota is not None)

    def unallocated(self, name: str) -> int:
        """What the parent holds and has not passed down (never below 0 for display)."""
        if self.allocation is None:
            return 0
        return max(0, getattr(self.allocation, name) - self.total(name))


def default_split_unit(user, cycle: Cycle) -> Unit:
    """The unit whose split a page or `GET …/quotas` shows without `?unit=`: the caller's own,
    or the organiser's when the caller is above it."""
    unit = user.unit
    return unit if unit is not None and cycle.unit.contains(unit) else cycle.unit


def split_of(cycle: Cycle, unit: Unit) -> Split:
    """`unit`'s allocation and its children's rows in the unit order: two queries."""
    quotas = {
        q.unit_id: q
        for q in Quota.objects.select_related("unit")
        .filter(cycle=cycle)
        .filter(models.Q(unit=unit) | models.Q(unit__parent=unit))
    }
    children = list(Unit.objects.filter(parent=unit).order_by("path"))
    allocation = None if unit.pk == cycle.unit_id else quotas.get(unit.pk)
    return Split(cycle, unit, allocation, [(child, quotas.get(child.pk)) for child in children])


def _split_units(cycle: Cycle, unit: Unit, rows: list[QuotaRow]) -> dict[int, Unit]:
    """The named units that are direct children of `unit` (one query)."""
    ids = {row.unit for row in rows if isinstance(row.unit, int)}
    return {child.pk: child for child in Unit.objects.filter(pk__in=ids, parent=unit)}


def _exceeds(message_unit: Unit, quota: int, total: int) -> Conflict:
    message = _(
        "The evaluation quotas add up to %(total)d, more than the %(quota)d %(unit)s was given."
    ) % {"total": total, "quota": quota, "unit": message_unit.name}
    return Conflict(message, code="quota_exceeds_allocation")


def _check_split(split: Split, rows: list[QuotaRow], units: dict[int, Unit]) -> None:
    """409 when the children's evaluation quotas exceed the parent's allocation, or when a
    child's new evaluation quota falls below what that child already passed down."""
    if split.allocation is not None or split.unit.pk != split.cycle.unit_id:
        quota = split.allocation.evaluation_quota if split.allocation else 0
        total = sum(row.evaluation_quota for row in rows)
        if total > quota:
            raise _exceeds(split.unit, quota, total)
    passed_down = dict(
        Quota.objects.filter(cycle=split.cycle, unit__parent__in=list(units))
        .values("unit__parent")
        .annotate(total=models.Sum("evaluation_quota"))
        .values_list("unit__parent", "total")
    )
    for row in rows:
        given = passed_down.get(row.unit) or 0
        if given > row.evaluation_quota:
            raise _exceeds(units[row.unit], row.evaluation_quota, given)


def _split_view(split: Split) -> dict[str, list[int]]:
    return {
        unit.name: [quota.required_registrations, quota.evaluation_quota]
        for unit, quota in split.children
        if quota is not None
    }


@transaction.atomic
def set_split(actor, cycle: Cycle, unit: Unit, rows: list[QuotaRow]) -> Split:
    """`unit`'s admin replaces the rows of `unit`'s direct children (the organiser's admin for
    the direct participants): all rows valid or nothing saved; a row of two zeros means no
    allocation and is not kept; the children's evaluation quotas may not exceed `unit`'s own
    (409 quota_exceeds_allocation; seeds 000 附件1, 一.2); before and after go to the audit."""
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cycle.pk)
    if not rules.can_split(actor, cycle, unit):
        raise Forbidden(_("Only the unit's own admin splits its allocation."))
    units = _split_units(cycle, unit, rows)
    errors = validate_quota_rows(rows, set(units))
    if errors:
        raise _invalid(errors)
    before = split_of(cycle, unit)
    kept = [row for row in rows if row.required_registrations or row.evaluation_quota]
    _check_split(before, kept, units)
    Quota.objects.filter(cycle=cycle, unit__parent=unit).delete()
    Quota.objects.bulk_create(
        Quota(
            cycle=cycle,
            unit=units[row.unit],
            required_registrations=row.required_registrations,
            evaluation_quota=row.evaluation_quota,
        )
        for row in kept
    )
    after = split_of(cycle, unit)
    record(
        "cycle.quotas",
        actor=actor,
        obj=cycle,
        scope_unit=unit,
        changes={"unit": unit.name, "quotas": [_split_view(before), _split_view(after)]},
    )
    return after


# --- delegation of approval (委托审核, seeds 000 附件3) ---------------------------------------


def approval_delegated_to(cycle: Cycle, unit: Unit | None) -> bool:
    """May `unit`'s admins approve in its subtree for `cycle`? Yes when its tier-1 unit named
    it in a Delegation, or when the cycle's legacy switch delegates to every tier 2/3 (one
    query at most)."""
    if cycle.approval_delegated:
        return True
    if unit is None:
        return False
    return Delegation.objects.filter(cycle=cycle, unit=unit).exists()


def delegations(cycle: Cycle, actor):
    """The delegations of a cycle the actor may see (its subtree), in the unit order."""
    return (
        Delegation.objects.visible_to(actor)
        .filter(cycle=cycle)
        .select_related("unit")
        .order_by("unit__path")
    )


def _delegation_target(actor, cycle: Cycle, unit: Unit) -> None:
    if not rules.can_delegate(actor, cycle, unit):
        raise Forbidden(_("Only the admin of a tier-1 unit above it delegates approval to a unit."))


@transaction.atomic
def grant_delegation(actor, cycle: Cycle, unit: Unit) -> Delegation:
    """A tier-1 unit's admin delegates approval in `unit`'s subtree to `unit`'s admins for the
    cycle (idempotent: granting twice keeps one row); audited."""
    _delegation_target(actor, cycle, unit)
    delegation, created = Delegation.objects.get_or_create(
        cycle=cycle, unit=unit, defaults={"granted_by": actor}
    )
    if created:
        record(
            "cycle.delegate",
            actor=actor,
            obj=cycle,
            scope_unit=unit,
            changes={"delegated_to": [None, unit.name]},
        )
    return delegation


@transaction.atomic
def withdraw_delegation(actor, cycle: Cycle, unit: Unit) -> None:
    """Withdraw a delegation (404 when there is none); audited."""
    _delegation_target(actor, cycle, unit)
    deleted, _rows = Delegation.objects.filter(cycle=cycle, unit=unit).delete()
    if not deleted:
        raise NotFound()
    record(
        "cycle.undelegate",
        actor=actor,
        obj=cycle,
        scope_unit=unit,
        changes={"delegated_to": [unit.name, None]},
    )
