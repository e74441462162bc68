import logging

from celery import shared_task

from qnwmh.jobs import domain, recovery

logger = logging.getLogger(__name__)


@shared_task(name="qnwmh.jobs.run_job")
def run_job(job_id: int) -> None:
    try:
        domain.run(job_id)
    except Exception:
        # The failure is on the job row for the user to see; the worker goes on.
        logger.exception("job %s failed", job_id)


@shared_task(name="qnwmh.jobs.reap_jobs")
def reap_jobs() -> int:
    """Celery beat, every five minutes (qnwmh/celery.py): jobs whose worker stopped."""
    return recovery.reap()
