from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.units.enums import Line, Tier


class Level(models.TextChoices):
    """创建归口平台: the title level a cycle awards (全国/省级/市级/区县级)."""

    NATIONAL = "NATIONAL", _("National")
    PROVINCIAL = "PROVINCIAL", _("Provincial")
    CITY = "CITY", _("City")
    COUNTY = "COUNTY", _("County")


# From the highest level down; a prior title "at least level X" means X or anything before it.
LEVEL_ORDER = [Level.NATIONAL, Level.PROVINCIAL, Level.CITY, Level.COUNTY]

# The prior title each platform requires by default (seeds 001, 003): national needs a national
# or provincial title, provincial a city title, city a county title — or anything higher.
DEFAULT_PRIOR_LEVELS = {
    Level.NATIONAL: [Level.NATIONAL, Level.PROVINCIAL],
    Level.PROVINCIAL: [Level.NATIONAL, Level.PROVINCIAL, Level.CITY],
    Level.CITY: [Level.NATIONAL, Level.PROVINCIAL, Level.CITY, Level.COUNTY],
    Level.COUNTY: [],
}


def organiser_level(unit) -> str | None:
    """The level of the cycles `unit` may organise (API.md "one 届次 across the tree"): the
    national committee (tier 0) runs NATIONAL cycles, a region unit of tier 1/2/3 — a province,
    a city, a county; 兵团 and its 师 are region units of tiers 1 and 2 — PROVINCIAL, CITY and
    COUNTY ones. An industry-line unit awards no title of its own (seeds 000 附件3, 002, 003)."""
    if unit.tier == Tier.NATIONAL:
        return Level.NATIONAL
    if unit.line != Line.REGION:
        return None
    return {Tier.FIRST: Level.PROVINCIAL, Tier.SECOND: Level.CITY, Tier.THIRD: Level.COUNTY}.get(
        unit.tier
    )
