from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.jobs.enums import FINISHED, JobStatus


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JobQuerySet":
        """A job is seen by whoever started it and by admins whose subtree holds its scope."""
        from qnwmh.units.paths import subtree_filter

        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = models.Q(created_by=user)
        if user.is_admin and user.unit_id:
            return self.filter(mine | models.Q(**subtree_filter("scope_path", user.unit.path)))
        return self.filter(mine)


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
