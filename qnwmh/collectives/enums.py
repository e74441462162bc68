from django.db import models
from django.utils.translation import gettext_lazy as _


class Ownership(models.TextChoices):
    PUBLIC = "PUBLIC", _("Public sector")
    NON_PUBLIC = "NON_PUBLIC", _("Non-public economy")
    SOCIAL_ORG = "SOCIAL_ORG", _("Social organisation")


# "≥ 1 non-public-economy or social-organisation collective per local unit" (seeds 000).
NON_PUBLIC_KINDS = (Ownership.NON_PUBLIC, Ownership.SOCIAL_ORG)


class DataState(models.TextChoices):
    """数据合格 (seeds 000 Q3), as the workflow's state: stored in Collective.data_ok."""

    FROZEN = "frozen", _("Frozen (data not qualified)")
    QUALIFIED = "qualified", _("Data qualified")


class TransferState(models.TextChoices):
    """A transfer request across jurisdictions (seeds 000 Q4, issue 10 item 10)."""

    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
