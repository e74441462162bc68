"""青年文明号 titles: the register of the titles collectives hold (issue 10 grows it: status,
certificate numbers, import, verification)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.collectives.models import Collective, level_label
from qnwmh.cycles.enums import Level


class Title(models.Model):
    """青年文明号: a title a collective holds (named here, or brought in by import)."""

    collective = models.ForeignKey(Collective, models.CASCADE, related_name="titles")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("title"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        # The table it had in collectives, where it began: the move changed no data and no SQL.
        # Renaming it is not free: registrations 0002 fills its count table with the live code,
        # which reads this table, so a fresh database would need the rename before it — a
        # dependency that databases where 0002 is applied refuse (inconsistent history).
        db_table = "collectives_title"
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.name or f"{self.get_level_display()} {self.year}"

    def get_level_display(self) -> str:
        return level_label(self.level)
