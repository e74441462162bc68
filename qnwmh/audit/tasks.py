"""The hourly anchor of the audit head (settings CELERY_BEAT_SCHEDULE: Celery beat, or the
in-process schedule without Redis)."""

from celery import shared_task

from qnwmh.audit.anchor import write_anchor


@shared_task
def anchor_audit() -> int:
    return write_anchor().seq
