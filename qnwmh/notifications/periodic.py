"""The periodic tasks (settings CELERY_BEAT_SCHEDULE) when there is no beat.

With REDIS_URL, `celery -A qnwmh beat` runs the schedule (docs/deploy.md). Without it — `make
run`, a one-server installation — nothing else would, so this middleware starts the schedule's
tasks itself, in a background thread after a response, at most once per
PERIODIC_IN_PROCESS_SECONDS (an hour) per process. Each task is safe to run more often than
needed and concurrently (deadline reminders remember whom they told), so several processes each
running it is harmless. Cron with `manage.py send_reminders` is the alternative
(PERIODIC_IN_PROCESS=0).
"""

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import connections
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_next_run = 0.0  # time.monotonic() of the next run in this process


def claim(now: float) -> bool:
    """True once per period: the caller runs the schedule."""
    global _next_run
    with _lock:
        if now < _next_run:
            return False
        _next_run = now + settings.PERIODIC_IN_PROCESS_SECONDS
        return True


def run_schedule() -> dict:
    """Run every task of the beat schedule once, here and now: {name: its result, or None
    when it failed (logged)}."""
    # The apps' tasks.py (not app.loader.import_default_modules(): its Django fixup runs
    # django.setup() again, which reconfigures logging).
    autodiscover_modules("tasks")
    results = {}
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        try:
            task = current_app.tasks[entry["task"]]
            results[name] = task.apply(
                args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True
            ).get()
        except Exception:
            logger.exception("periodic task %s failed", name)
            results[name] = None
    return results


def _run_in_thread() -> None:
    try:
        run_schedule()
    finally:
        connections.close_all()


def start() -> None:
    threading.Thread(target=_run_in_thread, name="qnwmh-periodic", daemon=True).start()


class InProcessScheduleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERIODIC_IN_PROCESS and claim(time.monotonic()):
            start()
        return response
