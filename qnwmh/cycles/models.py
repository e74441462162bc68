from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.core.scoping import Scope, ScopedQuerySet
from qnwmh.cycles.enums import Level


class CycleQuerySet(ScopedQuerySet):
    # Cycles an account with a unit takes part in: run by its own unit, an ancestor, or a unit
    # below it. (A county admin registers collectives into its province's cycle.)
    scope = Scope(path="unit__path", roles=None, with_ancestors=True)


class Cycle(models.Model):
    """届次, e.g. 2015—2016年度全国青年文明号: run by a unit, awarding titles of one level, with
    its own rule settings (configuration rows, not constants: they differ between documents)."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("platform level"), max_length=16, choices=Level.choices)
    unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="cycles", verbose_name=_("organising unit")
    )
    previous = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous cycle"),
    )
    registration_opens = models.DateField(_("registration opens"))
    registration_closes = models.DateField(_("registration closes"))
    # Creating collectives must reach this multiple of the evaluation quota (10 national, 2 in
    # Guangdong's provincial cycle — seeds 000, 001).
    evaluation_quota_multiplier = models.PositiveSmallIntegerField(
        _("creation-to-evaluation ratio"), default=10
    )
    min_members = models.PositiveSmallIntegerField(_("minimum members"), default=6)
    max_members = models.PositiveSmallIntegerField(_("maximum members"), default=200)
    youth_max_age = models.PositiveSmallIntegerField(_("youth maximum age"), default=35)
    min_youth_percent = models.PositiveSmallIntegerField(_("minimum youth share (%)"), default=50)
    leader_max_age = models.PositiveSmallIntegerField(_("leader maximum age"), default=40)
    # Levels of a prior title that qualify (see enums.DEFAULT_PRIOR_LEVELS); empty = none needed.
    prior_title_levels = models.JSONField(
        _("qualifying prior title levels"), default=list, blank=True
    )
    # A prior title must have been awarded in this year or later (e.g. "the latest provincial
    # title"); empty = any year.
    prior_title_min_year = models.PositiveSmallIntegerField(
        _("prior title from year"), null=True, blank=True
    )
    # Tier 1 may delegate approval to tiers 2/3 for a cycle (seeds 000 附件3).
    approval_delegated = models.BooleanField(_("approval delegated to tiers 2/3"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-registration_closes", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="cycle_unique_name_per_unit"),
            models.CheckConstraint(
                condition=models.Q(registration_opens__lte=models.F("registration_closes")),
                name="cycle_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(min_members__lte=models.F("max_members")),
                name="cycle_member_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, today) -> bool:
        return self.registration_opens <= today <= self.registration_closes

    @property
    def prior_title_level_labels(self) -> list[str]:
        return [str(Level(level).label) for level in self.prior_title_levels]


class Quota(models.Model):
    """名额 / 网络创建数: per cycle and unit, the registrations it must reach and the titles it
    may nominate (seeds 000 附件1)."""

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="quotas")
    unit = models.ForeignKey("units.Unit", models.PROTECT, related_name="quotas")
    required_registrations = models.PositiveIntegerField(_("required registrations"), default=0)
    evaluation_quota = models.PositiveIntegerField(_("evaluation quota"), default=0)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="quota_unique_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.unit}"


class DelegationQuerySet(ScopedQuerySet):
    # An admin sees the delegations to its own unit and to units below it.
    scope = Scope(path="unit__path", roles=None)


class Delegation(models.Model):
    """委托审核: a tier-1 unit delegates approval in `unit`'s subtree to `unit`'s admins for one
    cycle (seeds 000 附件3: 一级管理员 … 可委托二、三级管理员审核). Withdrawn by deleting it; the
    grant and the withdrawal are audited."""

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="delegations")
    unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="+", verbose_name=_("delegated unit")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval delegation")
        verbose_name_plural = _("approval delegations")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="delegation_unique_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.unit}"
