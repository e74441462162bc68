from django.db import models
from django.utils.translation import gettext_lazy as _


class Line(models.TextChoices):
    """条块: the region line (地方) and the industry line (行业)."""

    REGION = "REGION", _("Region")
    INDUSTRY = "INDUSTRY", _("Industry")


class Tier(models.IntegerChoices):
    """一级/二级/三级管理员, plus 0 for the national organising committee (seeds 000 附件3)."""

    NATIONAL = 0, _("National organising committee")
    FIRST = 1, _("Tier 1")
    SECOND = 2, _("Tier 2")
    THIRD = 3, _("Tier 3")


MAX_TIER = Tier.THIRD
