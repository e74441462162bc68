"""manage.py reap_jobs: mark failed the running jobs whose worker stopped (jobs/recovery.py);
from cron every few minutes when there is no Celery beat."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from qnwmh.jobs.recovery import reap


class Command(BaseCommand):
    help = "Mark failed the running jobs whose heartbeat stopped."

    def handle(self, *args, **options):
        self.stdout.write(_("%(count)d stalled job(s) marked failed.") % {"count": reap()})
