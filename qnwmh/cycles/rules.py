"""Permission predicates on cycles (django-rules, docs/decisions/009-permissions.md). Views,
API and domain name these; they do not re-implement them."""

import rules

from qnwmh.core.roles import AdminRole, has_role
from qnwmh.cycles.enums import organiser_level
from qnwmh.units.enums import Tier
from qnwmh.units.rules import is_admin_over


@rules.predicate
def is_cycle_organiser(user) -> bool:
    """A business admin of a unit that awards a level (the national committee, a province, a
    city, a county — enums.organiser_level): may create cycles of that level."""
    return bool(
        has_role(user, AdminRole.BUSINESS)
        and user.is_active
        and user.unit is not None
        and organiser_level(user.unit) is not None
    )


def organises_level(unit, level) -> bool:
    """A unit organises cycles of its own level only (API.md: another level is 403)."""
    return organiser_level(unit) == level


@rules.predicate
def is_admin_over_cycle(user, cycle) -> bool:
    """The cycle's owner: an admin of its organising unit or of a unit above it."""
    return is_admin_over(user, cycle.unit)


# (user, unit): a cycle's organising unit lies in the organiser's own subtree.
can_create_cycle_for = is_cycle_organiser & is_admin_over
# (user, cycle)
can_edit_cycle = is_cycle_organiser & is_admin_over_cycle
can_manage_quotas = is_admin_over_cycle


def can_split(user, cycle, unit) -> bool:
    """(user, cycle, unit) as a plain function: the organiser's admin (or above) allocates to
    the direct participants; a business admin splits its own unit's allocation among its
    children, for a unit strictly below the organiser (API.md PUT /cycles/{id}/quotas)."""
    if not has_role(user, AdminRole.BUSINESS) or user.unit is None:
        return False
    if not user.is_active:
        return False
    if unit.pk == cycle.unit_id:
        return is_admin_over(user, cycle.unit)
    return user.unit_id == unit.pk and cycle.unit.contains(unit)


# (user, unit)
can_view_progress = is_admin_over


@rules.predicate
def may_delegate_in(user, cycle) -> bool:
    """The business admin of a tier-1 unit that takes part in the cycle (seeds 000 附件3)."""
    return bool(
        has_role(user, AdminRole.BUSINESS)
        and user.is_active
        and user.unit is not None
        and user.unit.tier == Tier.FIRST
        and cycle.unit.contains(user.unit)
    )


def can_delegate(user, cycle, unit) -> bool:
    """(user, cycle, unit) as a plain function: the business admin of a tier-1 unit that takes
    part in the cycle delegates approval to a tier-2/3 unit below it (seeds 000 附件3; API.md
    /cycles/{id}/delegations)."""
    return bool(
        may_delegate_in(user, cycle) and unit.pk != user.unit_id and user.unit.contains(unit)
    )
