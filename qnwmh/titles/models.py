"""青年文明号 titles: the register of the titles collectives hold (issue 10 grows it: status,
certificate numbers, import, verification)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.collectives.models import Collective, level_label
from qnwmh.cycles.enums import Level
from qnwmh.titles.enums import TitleStatus


class Title(models.Model):
    """青年文明号: a title a collective holds (named here, or brought in by import)."""

    collective = models.ForeignKey(Collective, models.CASCADE, related_name="titles")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("title"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The register (issue 10): the cycle that named it when it is known, the day, the
    # certificate number (unique when given), valid or revoked, who entered it and a scan.
    cycle = models.ForeignKey(
        "cycles.Cycle",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="titles",
        verbose_name=_("cycle"),
    )
    named_on = models.DateField(_("named on"), null=True, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TitleStatus.choices, default=TitleStatus.VALID
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)
    # A scan of the certificate or the naming notice, checked by its bytes (PDF/JPEG/PNG) and
    # kept under private/ (never served as static media).
    evidence = models.FileField(
        _("evidence"), upload_to="private/titles/%Y/%m/", blank=True, default="", max_length=200
    )

    class Meta:
        # The table it had in collectives, where it began: the move changed no data and no SQL.
        # Renaming it is not free: registrations 0002 fills its count table with the live code,
        # which reads this table, so a fresh database would need the rename before it — a
        # dependency that databases where 0002 is applied refuse (inconsistent history).
        db_table = "collectives_title"
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~models.Q(certificate_no=""),
                name="title_unique_certificate_no",
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_level_display()} {self.year}"

    def get_level_display(self) -> str:
        return level_label(self.level)
