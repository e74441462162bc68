"""Notifications of the tests: in a user's inbox, as delivery would have stored them."""

import factory
from django.utils import timezone

from qnwmh.notifications.domain import Message
from qnwmh.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = None  # the user: pass it
    kind = "test.message"
    subject = factory.Sequence(lambda n: f"测试通知{n}")
    body = "通知正文"
    url = "/registrations/mine/"
    created_at = factory.LazyFunction(timezone.now)


def waiting(*users, n: int = 1) -> Message:
    """The surge message: a submission waiting for review, coalesced per reviewer."""
    return Message(
        tuple(u.pk for u in users),
        kind="registration.waiting",
        subject=f"集体{n}提交了报备，等待审核",
        body="请及时审核。",
        url="/registrations/queue/",
        coalesce_key="registration.waiting",
    )
