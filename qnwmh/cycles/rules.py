"""Permission predicates on cycles (django-rules, docs/decisions/009-permissions.md). Views,
API and domain name these; they do not re-implement them."""

import rules

from qnwmh.core.roles import AdminRole, has_role
from qnwmh.units.enums import Tier
from qnwmh.units.rules import is_admin_over

# Cycles are set up by the national organising committee and by tier-1 units (ministries and
# provincial league committees, the "first responsible" — seeds 000 附件3).
CYCLE_ORGANISER_TIERS = (Tier.NATIONAL, Tier.FIRST)


@rules.predicate
def is_cycle_organiser(user) -> bool:
    """A tier-0 or tier-1 admin: may create cycles."""
    return bool(
        has_role(user, AdminRole.BUSINESS)
        and user.is_active
        and user.unit is not None
        and user.unit.tier in CYCLE_ORGANISER_TIERS
    )


@rules.predicate
def is_admin_over_cycle(user, cycle) -> bool:
    """The cycle's owner: an admin of its organising unit or of a unit above it."""
    return is_admin_over(user, cycle.unit)


# (user, unit): a cycle's organising unit lies in the organiser's own subtree.
can_create_cycle_for = is_cycle_organiser & is_admin_over
# (user, cycle)
can_edit_cycle = is_cycle_organiser & is_admin_over_cycle
can_manage_quotas = is_admin_over_cycle
# (user, unit)
can_view_progress = is_admin_over
