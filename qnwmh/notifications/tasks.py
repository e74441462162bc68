import logging

from celery import shared_task

from qnwmh.notifications import mail

logger = logging.getLogger(__name__)


@shared_task(name="qnwmh.notifications.send_email", ignore_result=True)
def send_email(subject: str, body: str, url: str, recipient_ids: list[int]) -> None:
    """The e-mails of one notification (mail.send_later queues this)."""
    try:
        mail.send_now(subject, body, url, recipient_ids)
    except Exception:
        # The notification is in the inbox all the same; the mail server's trouble is logged.
        logger.exception("notification e-mail failed: %s", subject)
