"""The hourly anchor of the audit head, for Celery beat (qnwmh/celery.py)."""

from celery import shared_task

from qnwmh.audit.anchor import write_anchor


@shared_task
def anchor_audit() -> int:
    return write_anchor().seq
