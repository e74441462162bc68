"""Celery: with REDIS_URL set, workers run the tasks; without it they run in process (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qnwmh.settings")

app = Celery("qnwmh")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
