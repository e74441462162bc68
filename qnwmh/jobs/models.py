from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.core.scoping import BUSINESS, Scope, ScopedQuerySet
from qnwmh.jobs.enums import FINISHED, JobStatus
from qnwmh.workflow.models import History


class JobQuerySet(ScopedQuerySet):
    # A job is seen by whoever started it and by business admins whose subtree holds its scope.
    scope = Scope(path="scope_path", roles=BUSINESS, owner="created_by")


class Job(models.Model):
    """A long piece of work (an import, an export) run by a Celery worker, or in process when no
    REDIS_URL is set, with progress the pages can poll and an optional file to download."""

    handler = models.CharField(max_length=200)
    title = models.CharField(_("job"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    input_file = models.FileField(upload_to="private/jobs/in/%Y/%m/", blank=True)
    output_file = models.FileField(upload_to="private/jobs/out/%Y/%m/", blank=True)
    output_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    scope_path = models.CharField(max_length=80, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with every progress update (jobs/recovery.py): a running job whose heartbeat is
    # older than JOB_STALE_SECONDS lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class JobTransition(History):
    """One state change of a job (queued → running → done or failed), made by the system: the
    worker that runs it (jobs/workflow.py)."""

    job = models.ForeignKey(Job, models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=16, choices=JobStatus.choices)
    to_state = models.CharField(max_length=16, choices=JobStatus.choices)

    class Meta(History.Meta):
        verbose_name = _("job state change")
        verbose_name_plural = _("job state changes")
