from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.collectives.enums import Ownership
from qnwmh.core.scoping import BUSINESS, COLLECTIVE, Scope, ScopedQuerySet
from qnwmh.registrations.enums import BADGE, EDITABLE, RegistrationState
from qnwmh.workflow.models import History


class RegistrationQuerySet(ScopedQuerySet):
    # Business admins: registrations in their unit's subtree. A collective: its own.
    scope = Scope(
        path="unit_path", roles=BUSINESS, owner="collective__user", owner_kinds=COLLECTIVE
    )


class Registration(models.Model):
    """网络报备: one collective's registration for one cycle (一届次一申报 — seeds 001, 004), with
    its profile (集体档案) and creation plan (创建计划)."""

    cycle = models.ForeignKey("cycles.Cycle", models.PROTECT, related_name="registrations")
    collective = models.ForeignKey(
        "collectives.Collective", models.PROTECT, related_name="registrations"
    )
    # The jurisdiction it registered through (one channel only) and its path, for scoping.
    unit = models.ForeignKey("units.Unit", models.PROTECT, related_name="registrations")
    unit_path = models.CharField(max_length=80, db_index=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RegistrationState.choices,
        default=RegistrationState.DRAFT,
        db_index=True,
    )

    # 集体档案 (profile)
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    youth_count = models.PositiveIntegerField(_("members aged 35 or under"), null=True, blank=True)
    leader_name = models.CharField(_("title leader"), max_length=50, blank=True)
    leader_birth_date = models.DateField(_("leader's date of birth"), null=True, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership.choices, blank=True
    )
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # [{"level": "PROVINCIAL", "year": 2024, "name": "湖南省青年文明号"}, ...]
    prior_titles = models.JSONField(_("prior titles"), default=list, blank=True)

    # 创建计划 (plan)
    goals = models.TextField(_("goals"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    commitment = models.TextField(_("public commitments"), blank=True)

    # The eligibility results computed at the last save or submit: [{rule, passed, message}].
    eligibility = models.JSONField(default=list, blank=True)
    return_reason = models.TextField(_("reason returned"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-updated_at", "-id"]
        constraints = [
            # 一届次一申报: two submissions at the same moment still make one registration.
            models.UniqueConstraint(
                fields=["cycle", "collective"], name="registration_one_per_cycle"
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "unit_path", "state"], name="registration_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.collective} · {self.cycle}"

    @property
    def badge_class(self) -> str:
        return BADGE.get(self.state, "")

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE

    # One-line delegates: the decisions live in domain.py.
    def submit(self, user) -> "Registration":
        return _domain().submit(user, self)

    def pre_approve(self, actor) -> "Registration":
        return _domain().pre_approve(actor, self)

    def approve(self, actor) -> "Registration":
        return _domain().approve(actor, self)

    def return_to_collective(self, actor, reason: str) -> "Registration":
        return _domain().return_registration(actor, self, reason)

    def cancel(self, actor, reason: str) -> "Registration":
        return _domain().cancel(actor, self, reason)


def _domain():
    from qnwmh.registrations import domain  # domain imports models: resolve at call time

    return domain


class Transition(History):
    """One state change of a registration: who, when, from, to, which action, why (written by
    the workflow engine, registrations/workflow.py). History is data."""

    registration = models.ForeignKey(Registration, models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=16, choices=RegistrationState.choices)
    to_state = models.CharField(max_length=16, choices=RegistrationState.choices)

    class Meta(History.Meta):
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")


class RegistrationCount(models.Model):
    """Derived data for the progress dashboard (进度): how many registrations of a cycle lie in
    the *whole subtree* of a unit, per state, ownership kind and previous title. A registration
    counts in its unit's row and in each ancestor's. qnwmh/registrations/counts.py keeps it in
    step with every change, in the change's own transaction; `rebuild_registration_counts`
    recomputes it from the registrations."""

    # No index of its own: the unique key and the lookup index both begin with the cycle, and
    # a third index only gave the planner a worse choice and every upsert one more to write.
    cycle = models.ForeignKey("cycles.Cycle", models.CASCADE, related_name="+", db_index=False)
    unit_path = models.CharField(max_length=80)
    depth = models.PositiveSmallIntegerField()  # segments in unit_path: 1 is the root
    state = models.CharField(max_length=16, choices=RegistrationState.choices)
    non_public = models.BooleanField()
    previous_title = models.BooleanField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit_path", "state", "non_public", "previous_title"],
                name="registrationcount_key",
            ),
        ]
        indexes = [
            # A dashboard reads one unit's row and its children's: one range at depth + 1.
            models.Index(fields=["cycle", "depth", "unit_path"], name="registrationcount_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.state}: {self.n}"
