"""Permission predicates on cycles. Views and API name these; they do not re-implement them."""

from qnwmh.units.enums import Tier
from qnwmh.units.rules import is_admin_over

# Cycles are set up by the national organising committee and by tier-1 units (ministries and
# provincial league committees, the "first responsible" — seeds 000 附件3).
CYCLE_ORGANISER_TIERS = (Tier.NATIONAL, Tier.FIRST)


def is_cycle_organiser(user) -> bool:
    """A tier-0 or tier-1 admin: may create cycles."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_admin
        and user.is_active
        and user.unit is not None
        and user.unit.tier in CYCLE_ORGANISER_TIERS
    )


def can_create_cycle_for(user, unit) -> bool:
    """A cycle's organising unit lies in the organiser's own subtree."""
    return is_cycle_organiser(user) and is_admin_over(user, unit)


def can_edit_cycle(user, cycle) -> bool:
    return can_create_cycle_for(user, cycle.unit)


def can_manage_quotas(user, cycle) -> bool:
    """The cycle's owner: an admin of its organising unit or of a unit above it."""
    return is_admin_over(user, cycle.unit)


def can_view_progress(user, unit) -> bool:
    return is_admin_over(user, unit)
