from django.db import models
from django.utils.translation import gettext_lazy as _


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
