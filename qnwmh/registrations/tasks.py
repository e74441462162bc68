from celery import shared_task

from qnwmh.registrations import reminders


@shared_task(name="qnwmh.registrations.send_deadline_reminders", ignore_result=True)
def send_deadline_reminders() -> int:
    """Hourly (settings CELERY_BEAT_SCHEDULE): the deadline reminders due today."""
    return reminders.send_deadline_reminders()
