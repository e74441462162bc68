"""Celery: with REDIS_URL set, workers run the tasks; without it they run in process (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qnwmh.settings")

app = Celery("qnwmh")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _periodic_checks(sender, **kwargs):
    """`celery -A qnwmh beat` (with REDIS_URL, docs/deploy.md): the audit head anchored hourly,
    jobs whose worker stopped marked failed every five minutes."""
    sender.add_periodic_task(
        3600, sender.signature("qnwmh.audit.tasks.anchor_audit"), name="anchor-audit"
    )
    sender.add_periodic_task(300, sender.signature("qnwmh.jobs.reap_jobs"), name="reap-jobs")
