"""Enumerations of the title register."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.cycles.enums import LEVEL_ORDER, Level


class TitleStatus(models.TextChoices):
    """A title in the register is valid until revoked (撤销/摘牌, seeds 001, 003: 动态管理)."""

    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


# The level a unit names titles at, by its tier (seeds 000 附件3: 团中央、省、市、县四级).
LEVEL_OF_TIER = {0: Level.NATIONAL, 1: Level.PROVINCIAL, 2: Level.CITY, 3: Level.COUNTY}


def level_at_or_below(level: str, limit: str) -> bool:
    """True when `level` is `limit` or a lower level (COUNTY is the lowest)."""
    return LEVEL_ORDER.index(Level(level)) >= LEVEL_ORDER.index(Level(limit))
