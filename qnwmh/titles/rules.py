"""Permission predicates on the title register (django-rules, docs/decisions/009-permissions.md).

Who enters a title: a business admin (业务管理员) of a unit whose level is the title's level or
higher, over the collective (the collective's jurisdiction is in the unit's subtree). A unit's
level is its tier's: 团中央 NATIONAL, 省 PROVINCIAL, 市 CITY, 县 COUNTY (seeds 000 附件3: the
four tiers; 001 六 / 003 六: each tier names the titles of its own level)."""

import rules

from qnwmh.collectives.rules import is_admin_over_collective
from qnwmh.titles.enums import LEVEL_OF_TIER, level_at_or_below


def unit_level(unit) -> str | None:
    """The level of the titles a unit names (its tier's), None for no unit."""
    return LEVEL_OF_TIER.get(unit.tier) if unit is not None else None


def may_enter_level(user, level: str) -> bool:
    """The actor's unit names titles of `level` or a higher level."""
    own = unit_level(getattr(user, "unit", None))
    return own is not None and level_at_or_below(level, own)


@rules.predicate
def can_enter_title(user, title) -> bool:
    """(user, title): a business admin over the title's collective whose unit's level is the
    title's level or above (an unsaved Title with its collective and level set)."""
    return bool(
        is_admin_over_collective(user, title.collective) and may_enter_level(user, title.level)
    )


# Revoking follows the same authority as entering.
can_revoke_title = can_enter_title
