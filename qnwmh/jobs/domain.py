"""Starting and running background jobs.

A domain area writes a handler — `@job_handler def export_x(job, progress) -> dict` — and starts
it with `start(export_x, actor=…, title=…, params=…)`. With REDIS_URL a Celery worker runs it;
without, it runs in process right after the transaction commits. The handler reports progress
through `progress(done, total)` and may attach a file with `attach_output(job, name, data)`.
It returns a result dict the status page shows: {"summary": "…", "problems": [{"line", "message"}]}
plus anything of its own.
"""

import threading
from collections.abc import Callable
from contextlib import suppress

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from qnwmh.audit.domain import record
from qnwmh.core.errors import Conflict
from qnwmh.jobs.models import Job
from qnwmh.jobs.workflow import JOB
from qnwmh.workflow import engine

_HANDLER_MARK = "_qnwmh_job_handler"


def job_handler(func: Callable) -> Callable:
    """Marks a function as runnable by a job (only marked functions can be named by a job)."""
    setattr(func, _HANDLER_MARK, True)
    return func


def _dotted(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def resolve_handler(dotted: str) -> Callable:
    func = import_string(dotted)
    if not getattr(func, _HANDLER_MARK, False):
        raise ValueError(f"{dotted} is not a job handler")
    return func


def start(
    handler: Callable,
    *,
    actor,
    title: str,
    params: dict | None = None,
    scope_unit=None,
    input_file: File | None = None,
    input_name: str = "",
    background: bool = False,
) -> Job:
    """Create the job and schedule it after the surrounding transaction commits. `background`
    (a large import): without a Celery worker too, it runs in a thread of its own and the
    request answers at once, instead of running inside the request (issue 12 #7)."""
    job = Job(
        handler=_dotted(handler),
        title=title[:200],
        params=params or {},
        created_by=actor,
        scope_path=(scope_unit or actor.unit).path
        if (scope_unit or getattr(actor, "unit", None))
        else "",
    )
    if input_file is not None:
        job.input_file.save(input_name or "input", input_file, save=False)
    job.save()
    record(
        "job.start",
        actor=actor,
        obj=job,
        scope_unit=scope_unit,
        changes={"title": [None, job.title]},
    )
    transaction.on_commit(lambda: _enqueue(job.pk, background=background))
    return job


def _enqueue(job_id: int, *, background: bool = False) -> None:
    from qnwmh.jobs.tasks import run_job

    if background and settings.CELERY_TASK_ALWAYS_EAGER:
        run_in_thread(job_id)
    else:
        run_job.delay(job_id)


def run_in_thread(job_id: int) -> threading.Thread:
    """No worker (no REDIS_URL): run the job beside the request. If the process dies with it,
    its heartbeat stops and recovery.py marks it failed, restartable."""

    def target():
        from qnwmh.jobs.tasks import run_job

        try:
            run_job(job_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target, name=f"job-{job_id}", daemon=True)
    thread.start()
    return thread


class Progress:
    """Reports progress; writes at most every `every` items so a 100,000-row job does not do
    100,000 updates."""

    def __init__(self, job: Job, every: int = 500):
        self.job = job
        self.every = every
        self._last = -every

    def __call__(self, done: int, total: int | None = None) -> None:
        # Every write carries the heartbeat (jobs/recovery.py): no statement of its own.
        if total is not None and total != self.job.total:
            self.job.total = total
            Job.objects.filter(pk=self.job.pk).update(total=total, heartbeat_at=timezone.now())
        if done - self._last >= self.every or done == self.job.total:
            self._last = done
            self.job.done = done
            Job.objects.filter(pk=self.job.pk).update(done=done, heartbeat_at=timezone.now())


def attach_output(job: Job, name: str, data: bytes | File) -> None:
    content = ContentFile(data) if isinstance(data, bytes) else data
    job.output_file.save(name, content, save=False)
    job.output_name = name
    Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name, output_name=name)


def run(job_id: int) -> None:
    """Run one job to its end, each step a transition of the job's workflow (workflow.py).
    Claimed with a compare-and-swap: a job runs once even if two workers receive it."""
    now = timezone.now()
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    try:
        engine.transition(JOB, "run", None, job, updates={"started_at": now, "heartbeat_at": now})
    except Conflict:  # no longer queued, or another worker claimed it first
        return
    try:
        result = resolve_handler(job.handler)(job, Progress(job)) or {}
    except Exception as exc:
        _fail(job, exc)
        raise
    engine.transition(
        JOB,
        "finish",
        None,
        job,
        updates={"result": result, "done": job.total or job.done, "finished_at": timezone.now()},
    )


def _fail(job: Job, exc: Exception) -> None:
    # Already failed meanwhile (e.g. found dead): the handler's exception is raised all the same.
    with suppress(Conflict):
        updates = {"error": str(exc)[:2000], "finished_at": timezone.now()}
        engine.transition(JOB, "fail", None, job, updates=updates)
