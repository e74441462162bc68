"""E-mail of notifications, through Django's mail: SMTP when EMAIL_HOST is set, the console in
the demo (`make run`), nothing when neither is configured (settings NOTIFICATIONS_EMAIL).

Each recipient with an address gets an e-mail of their own (nobody sees the others' addresses),
all of one message over one connection (send_mass_mail). With REDIS_URL a Celery worker sends
them; without, they are sent in process. A failure is logged, never raised to the request.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

BATCH = 1000


def enabled() -> bool:
    """A mail backend is configured (EMAIL_HOST or EMAIL_BACKEND: settings.py)."""
    return bool(settings.NOTIFICATIONS_EMAIL)


def send_later(subject: str, body: str, url: str, recipient_ids: list[int]) -> None:
    """Queue the e-mails of one message to these users (a Celery task; eager without Redis)."""
    if not recipient_ids or not enabled():
        return
    from qnwmh.notifications.tasks import send_email  # the task module imports this one

    try:
        send_email.delay(subject, body, url, list(recipient_ids))
    except Exception:
        logger.exception("notification e-mail not queued: %s", subject)


def send_now(subject: str, body: str, url: str, recipient_ids: list[int]) -> int:
    """Send the e-mails of one message; returns how many went out."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    subject = " ".join(subject.split())  # a header: no line breaks
    text = compose(body, url)
    sent = 0
    for start in range(0, len(recipient_ids), BATCH):
        chunk = recipient_ids[start : start + BATCH]
        addresses = users.filter(pk__in=chunk).values_list("email", flat=True)
        datatuple = [(subject, text, None, [address]) for address in addresses]
        sent += send_mass_mail(datatuple, using="default")
    return sent


def compose(body: str, url: str) -> str:
    """The e-mail's text: the message, its link (absolute with SITE_URL) and a footer."""
    if url.startswith("/") and settings.SITE_URL:
        url = settings.SITE_URL.rstrip("/") + url
    with translation.override(settings.LANGUAGE_CODE):
        footer = _("This e-mail was sent by the system; please do not reply to it.")
    return "\n\n".join(part for part in (body, url, footer) if part)
