from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from qnwmh.collectives.enums import DataState, Ownership, TransferState
from qnwmh.core.scoping import BUSINESS, COLLECTIVE, Scope, ScopedQuerySet
from qnwmh.cycles.enums import Level
from qnwmh.units.enums import Line
from qnwmh.workflow.models import History

# Label by value. Django's get_FOO_display rebuilds a dict of every choice and translates every
# label on each call, which a list page does for each row (docs/performance.md §3).
_OWNERSHIP_LABELS = dict(Ownership.choices)
_LEVEL_LABELS = dict(Level.choices)


class CollectiveQuerySet(ScopedQuerySet):
    # A business admin sees its unit's subtree, a collective itself, anyone else nothing.
    scope = Scope(path="unit_path", roles=BUSINESS, owner="user", owner_kinds=COLLECTIVE)


class Collective(models.Model):
    """集体: a team, workshop, window or station that creates a title. Its code is its login."""

    code = models.CharField(_("collective code"), max_length=20, unique=True)
    name = models.CharField(_("canonical name"), max_length=200)
    # The canonical name normalized (full/half width, spaces, punctuation, company suffixes):
    # one collective per key, so a mistyped re-creation cannot mint a second code.
    name_key = models.CharField(max_length=200, unique=True)
    # A looser key (legal-form suffixes and similar noise dropped, see names.py): collectives
    # sharing it are shown as candidates before a new code is created. Not unique.
    loose_key = models.CharField(max_length=200, blank=True, default="", db_index=True)
    unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="collectives", verbose_name=_("jurisdiction")
    )
    # Copy of unit.path, kept in step by the domain: the subtree filter is one index range scan.
    unit_path = models.CharField(max_length=80, db_index=True)
    line = models.CharField(_("line"), max_length=16, choices=Line.choices)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="collective"
    )
    # 数据合格: a legacy record that came in incomplete is frozen until an admin completes it.
    data_ok = models.BooleanField(_("data qualified"), default=True)
    frozen_reasons = models.JSONField(_("reasons frozen"), default=list, blank=True)
    legacy_source = models.CharField(max_length=200, blank=True)
    # The code exactly as the older system's file had it (even when unusable): a second import
    # of the same file matches on it and creates nothing new.
    legacy_code = models.CharField(max_length=40, blank=True, default="", db_index=True)
    # 号长 and the contact phone, as far as known (the registration of a cycle holds its own).
    leader_name = models.CharField(_("title leader"), max_length=50, blank=True, default="")
    phone = models.CharField(_("contact phone"), max_length=30, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CollectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective")
        verbose_name_plural = _("collectives")
        ordering = ["code"]
        indexes = [models.Index(fields=["unit_path", "code"], name="collective_path_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def get_ownership_display(self) -> str:
        return force_str(_OWNERSHIP_LABELS.get(self.ownership, self.ownership), strings_only=True)


class DataStateChange(History):
    """One change of a collective's 数据合格 (frozen → qualified when an admin completes a
    legacy record), written by the workflow engine (collectives/workflow.py)."""

    collective = models.ForeignKey(Collective, models.CASCADE, related_name="data_history")
    from_state = models.CharField(max_length=16, choices=DataState.choices)
    to_state = models.CharField(max_length=16, choices=DataState.choices)

    class Meta(History.Meta):
        verbose_name = _("data state change")
        verbose_name_plural = _("data state changes")


class FormerName(models.Model):
    """曾用名: a name the collective had before a rename (seeds 000 Q5)."""

    collective = models.ForeignKey(Collective, models.CASCADE, related_name="former_names")
    name = models.CharField(_("former name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True)
    loose_key = models.CharField(max_length=200, blank=True, default="", db_index=True)
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("former name")
        verbose_name_plural = _("former names")
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return self.name


class TransferRequestQuerySet(ScopedQuerySet):
    # The requesting unit's subtree: the requester and every admin above it — the deciding
    # unit (the lowest over both ends) is one of them.
    scope = Scope(path="to_unit_path", roles=BUSINESS)


class TransferRequest(models.Model):
    """转移申请: an admin who finds that a collective of another jurisdiction is in fact one of
    its own asks the lowest unit over both to move it (seeds 000 Q4: 由上级管理员转移). The
    requester never sees the code (issue 10 item 10); accepting moves the collective with its
    history (`domain.transfer`)."""

    collective = models.ForeignKey(
        Collective, models.CASCADE, related_name="transfer_requests", verbose_name=_("collective")
    )
    from_unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="+", verbose_name=_("current jurisdiction")
    )
    to_unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="+", verbose_name=_("requested jurisdiction")
    )
    to_unit_path = models.CharField(max_length=80, db_index=True)
    deciding_unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="+", verbose_name=_("deciding unit")
    )
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=TransferState.choices, default=TransferState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason declined"), max_length=1000, blank=True)

    objects = TransferRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.collective.name} → {self.to_unit.name}"


def level_label(level: str) -> str:
    """The label of a title's level (a cycle level), without get_FOO_display's cost."""
    return force_str(_LEVEL_LABELS.get(level, level), strings_only=True)


def title_model() -> type[models.Model]:
    """Title, of the titles app (after this one in the app order): reached through the reverse
    relation `Collective.titles`, never imported. The list page's titles column and the legacy
    import, which brings each record's title with it, use it."""
    return Collective._meta.get_field("titles").related_model


class ImportChunk(models.Model):
    """A stored chunk of a legacy import (collectives/imports/job.py): written in the chunk's
    own transaction, so a job whose worker died resumes after `last_line` with the counts and
    problems of the chunks already stored (issue 12 #5)."""

    job = models.ForeignKey("jobs.Job", models.CASCADE, related_name="+")
    last_line = models.PositiveIntegerField()
    counts = models.JSONField(default=dict)
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["job", "last_line"]
        constraints = [
            models.UniqueConstraint(fields=["job", "last_line"], name="import_chunk_once")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.last_line}"
