"""Units: creating the tree. Every subtree query stands on the path set here."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qnwmh.audit.domain import record
from qnwmh.core import paths
from qnwmh.core.errors import Conflict, Forbidden, InvalidInput
from qnwmh.units import rules
from qnwmh.units.enums import MAX_TIER, Line, Tier
from qnwmh.units.models import Unit


def _save_with_path(unit: Unit) -> Unit:
    # The path needs the id, which the insert gives: a placeholder first, then the real path.
    unit.path = f"new-{id(unit)}"
    unit.save()
    unit.path = (unit.parent.path if unit.parent else "") + paths.segment(unit.pk)
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit


def validate_child(parent: Unit, *, name: str, line: str, tier: int) -> dict[str, list[str]]:
    """The tree's shape: tiers go down one level or more, at most to tier 3, and an industry
    unit has only industry units below it."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Please enter the unit's name.")]
    elif len(name.strip()) > 100:
        errors["name"] = [_("The name is at most 100 characters.")]
    if line not in Line.values:
        errors["line"] = [_("Choose region or industry.")]
    elif parent.line == Line.INDUSTRY and line != Line.INDUSTRY:
        errors["line"] = [_("Only industry units can be placed under an industry unit.")]
    if not isinstance(tier, int) or not (parent.tier < tier <= MAX_TIER):
        errors["tier"] = [
            _("The tier must be below the parent's (tier %(parent)d) and at most 3.")
            % {"parent": parent.tier}
        ]
    return errors


@transaction.atomic
def create_child_unit(actor, parent: Unit, *, name: str, line: str, tier: int) -> Unit:
    """An admin of `parent` (or above it) adds a unit below it."""
    if not rules.can_create_child_unit(actor, parent):
        raise Forbidden()
    errors = validate_child(parent, name=name, line=line, tier=tier)
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    name = name.strip()
    if parent.children.filter(name=name).exists():
        message = _("%(parent)s already has a unit named %(name)s.") % {
            "parent": parent.name,
            "name": name,
        }
        raise Conflict(message, code="unit_exists", fields={"name": [message]})
    try:
        with transaction.atomic():
            unit = _save_with_path(Unit(name=name, line=line, tier=tier, parent=parent))
    except IntegrityError as exc:  # a concurrent creation of the same name won the race
        raise Conflict(
            _("%(parent)s already has a unit named %(name)s.")
            % {"parent": parent.name, "name": name},
            code="unit_exists",
        ) from exc
    record(
        "unit.create",
        actor=actor,
        obj=unit,
        scope_unit=unit,
        changes={
            "name": [None, name],
            "line": [None, line],
            "tier": [None, tier],
            "parent": [None, parent.name],
        },
    )
    return unit


@transaction.atomic
def create_root_unit(*, name: str) -> Unit:
    """The national organising committee (tier 0), created once by `manage.py bootstrap`."""
    if Unit.objects.filter(parent__isnull=True).exists():
        raise Conflict(
            _("The national organising committee already exists."), code="already_bootstrapped"
        )
    unit = _save_with_path(Unit(name=name, line=Line.REGION, tier=Tier.NATIONAL))
    record("unit.create", obj=unit, scope_unit=unit, changes={"name": [None, name]})
    return unit


def create_unit_for_demo(parent: Unit, *, name: str, line: str, tier: int) -> Unit:
    """Used by demo data and factories only: no actor, same path rule, audited."""
    existing = Unit.objects.filter(parent=parent, name=name).first()
    if existing:
        return existing
    unit = _save_with_path(Unit(name=name, line=line, tier=tier, parent=parent))
    record("unit.create", obj=unit, scope_unit=unit, changes={"name": [None, name]})
    return unit
