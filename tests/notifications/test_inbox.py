"""Reading and marking (inbox.py): one's own only, audited once per request that changed
something."""

import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import InvalidInput, NotFound
from qnwmh.notifications import inbox
from qnwmh.notifications.models import Notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _actions() -> list[tuple[str, str]]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", "actor_username"))


def test_mark_read_marks_ones_own_and_records_it(world):
    user = world.users["hunan"]
    notification = NotificationFactory(recipient=user)
    marked = inbox.mark_read(user, notification.pk)
    notification.refresh_from_db()
    assert marked.read_at == notification.read_at is not None
    assert _actions() == [("notification.read", "admin-hunan")]


def test_marking_again_changes_and_records_nothing(world):
    user = world.users["hunan"]
    notification = NotificationFactory(recipient=user)
    first = inbox.mark_read(user, notification.pk).read_at
    assert inbox.mark_read(user, notification.pk).read_at == first
    assert len(_actions()) == 1


@pytest.mark.parametrize("persona", ["changde", "guangdong", "national", "judge"])
def test_another_users_notification_is_not_found(world, persona):
    notification = NotificationFactory(recipient=world.users["hunan"])
    with pytest.raises(NotFound):
        inbox.mark_read(world.users[persona], notification.pk)
    assert Notification.objects.get().read_at is None
    assert _actions() == []


def test_mark_all_read_is_one_audit_entry(world):
    user, other = world.users["hunan"], world.users["changde"]
    NotificationFactory.create_batch(3, recipient=user)
    NotificationFactory(recipient=other)
    assert inbox.mark_all_read(user) == 3
    assert inbox.mark_all_read(user) == 0
    assert _actions() == [("notification.read_all", "admin-hunan")]
    assert AuditEntry.objects.get().changes == {"count": [None, 3]}
    assert Notification.objects.get(recipient=other).read_at is None


def test_unread_count_stops_at_the_cap(world):
    user = world.users["hunan"]
    NotificationFactory.create_batch(4, recipient=user)
    NotificationFactory(recipient=user, read_at="2026-01-01T00:00:00Z")
    assert inbox.unread_count(user) == 4
    assert inbox.unread_count(user, cap=2) == 3  # "2+"


def test_set_email_is_masked_in_the_audit_log(world):
    user = world.users["wuling"]
    inbox.set_email(user, " wuling@example.cn ")
    user.refresh_from_db()
    assert user.email == "wuling@example.cn"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes) == (
        "account.email_change",
        {"email": ["", "w***@example.cn"]},
    )


def test_set_email_refuses_an_invalid_address(world):
    with pytest.raises(InvalidInput):
        inbox.set_email(world.users["wuling"], "not-an-address")
    assert _actions() == []
