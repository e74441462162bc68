"""Jobs that survive their worker (issue 12 #5).

A running job writes a heartbeat with every progress update (domain.Progress: the same UPDATE,
no statement of its own) and when it is claimed. A worker killed mid-job (OOM, SIGKILL, a
server lost) leaves its job "running" with a heartbeat that stops: after JOB_STALE_SECONDS it
is marked failed here, with the reason in Chinese, and its starter may restart it — an import
resumes from its last stored chunk (collectives.imports.job). The reaper runs when the job's
page is read, every five minutes under Celery beat, and from `manage.py reap_jobs`. A restore
marks the restored system's unfinished jobs failed the same way: their workers are gone.

Failing a stalled job and restarting it are actions of the job's workflow (workflow.py: `fail`
by the system, `restart` by its starter), so each is a compare-and-swap with a history row: a
reaper and a finishing worker, or two restarts, never both win. Only the restore's sweep is one
bulk update: it runs on the restored database, where no worker and no history of the old
system's last minutes remain."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from qnwmh.audit.domain import record
from qnwmh.core.errors import AlreadyHandled
from qnwmh.jobs.enums import JobStatus
from qnwmh.jobs.models import Job
from qnwmh.jobs.rules import is_job_starter
from qnwmh.jobs.workflow import JOB
from qnwmh.workflow import engine


def _stale(now) -> Q:
    return Q(
        status=JobStatus.RUNNING, last_beat__lt=now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    )


def reap(*, now=None, pk: int | None = None) -> int:
    """Mark failed every running job (or the one job `pk`) whose heartbeat stopped; returns how
    many were."""
    now = now or timezone.now()
    jobs = Job.objects.alias(last_beat=Coalesce("heartbeat_at", "started_at"))
    if pk is not None:
        jobs = jobs.filter(pk=pk)
    with override(settings.LANGUAGE_CODE):  # stored text: the site's language
        reason = _(
            "The worker running this job stopped (no sign of life for %(minutes)d minutes). "
            "The job was marked failed; whoever started it may restart it."
        ) % {"minutes": settings.JOB_STALE_SECONDS // 60}
    failed = 0
    for job in jobs.filter(_stale(now)).order_by("pk"):
        updates = {"error": reason, "result": {"summary": reason}, "finished_at": now}
        try:
            engine.transition(JOB, "fail", None, job, updates=updates)
        except AlreadyHandled:  # it finished, or another reaper was first
            continue
        failed += 1
    return failed


def is_stale(job: Job, now=None) -> bool:
    """The job page's check (no query): running, and its last heartbeat too old."""
    now = now or timezone.now()
    beat = job.heartbeat_at or job.started_at
    limit = timedelta(seconds=settings.JOB_STALE_SECONDS)
    return job.status == JobStatus.RUNNING and beat is not None and beat < now - limit


def fail_unfinished(using: str = "default") -> int:
    """After a restore: no worker holds the restored system's queued or running jobs."""
    with override(settings.LANGUAGE_CODE):
        reason = _(
            "The system was restored from a backup while this job was unfinished. The job was "
            "marked failed; whoever started it may restart it."
        )
    return (
        Job.objects.using(using)
        .filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
        .update(
            status=JobStatus.FAILED,
            error=reason,
            result={"summary": reason},
            finished_at=timezone.now(),
        )
    )


def can_restart(user, job: Job) -> bool:
    return job.status == JobStatus.FAILED and is_job_starter(user, job)


@transaction.atomic
def restart(actor, job: Job) -> Job:
    """重新开始: the starter queues a failed job again; it runs from where it stopped when its
    handler keeps its own checkpoints (the legacy import does). A person's act, so audited,
    though the job's own steps are not."""
    updates = {
        "error": "",
        "result": {},
        "finished_at": None,
        "heartbeat_at": None,
        "started_at": None,
    }
    engine.transition(JOB, "restart", actor, job, updates=updates)
    record("job.restart", actor=actor, obj=job, changes={"title": [None, job.title]})
    from qnwmh.jobs.domain import _enqueue

    transaction.on_commit(lambda: _enqueue(job.pk))
    return job
