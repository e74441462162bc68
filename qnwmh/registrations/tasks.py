from celery import shared_task

from qnwmh.registrations import digests, reminders


@shared_task(name="qnwmh.registrations.send_deadline_reminders", ignore_result=True)
def send_deadline_reminders() -> int:
    """Hourly (settings CELERY_BEAT_SCHEDULE): the deadline reminders due today."""
    return reminders.send_deadline_reminders()


@shared_task(name="qnwmh.registrations.send_review_digests", ignore_result=True)
def send_review_digests() -> int:
    """Hourly (settings CELERY_BEAT_SCHEDULE): the reviewers' digest of the last hour."""
    return digests.send_review_digests()
