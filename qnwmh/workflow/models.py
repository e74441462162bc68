"""The history of a workflow's aggregate: one row per transition (who, when, from, to, action,
why). History is data (STYLE.md): timelines and statistics read it. Each aggregate has its own
concrete table, a subclass naming the aggregate's foreign key (the workflow's `subject`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class History(models.Model):
    """One state change. `actor` is empty for an action done by the system (a job's worker)."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32, blank=True)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    reason = models.TextField(blank=True)

    class Meta:
        abstract = True
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"
