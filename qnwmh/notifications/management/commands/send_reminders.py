from django.core.management.base import BaseCommand

from qnwmh.notifications import periodic


class Command(BaseCommand):
    help = (
        "Run the periodic tasks now (deadline reminders, the reviewers' digest): for cron "
        "where neither Celery beat "
        "(REDIS_URL) nor the in-process schedule (PERIODIC_IN_PROCESS) runs them."
    )

    def handle(self, *args, **options):
        for name, result in periodic.run_schedule().items():
            self.stdout.write(f"{name}: {result}")
