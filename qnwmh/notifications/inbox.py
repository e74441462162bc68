"""The inbox (我的通知): what a user reads and marks read. The page and the API call these.

Marking read is a write by the user on the user's own rows, audited as the project audits
other writes of one's own (ending one's session, two-factor setup): one entry per request that
changed something — "mark all read" is one entry with the count, not one per row, and marking a
notification already read writes nothing. Per request the cost is that of the user's other
audited actions, and a user cannot fill the log faster than by clicking.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from qnwmh.audit.domain import record
from qnwmh.core.errors import InvalidInput, NotFound
from qnwmh.core.pagination import capped_count
from qnwmh.notifications.models import Notification

# The header shows "99+" beyond this: counting further reads rows nobody looks at.
UNREAD_CAP = 99


def of(user, *, unread_only: bool = False):
    """The user's notifications, newest first."""
    rows = Notification.objects.visible_to(user)
    if unread_only:
        rows = rows.unread()
    return rows.newest_first()


def unread_count(user, cap: int = UNREAD_CAP) -> int:
    """Unread notifications up to `cap` + 1 (more than the cap shows as "cap+"): one query on
    the index of the unread rows."""
    return capped_count(Notification.objects.visible_to(user).unread(), cap)


def mark_read(user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (another user's: NotFound). Marking it again
    changes nothing and records nothing."""
    notification = Notification.objects.visible_to(user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is not None:
        return notification
    now = timezone.now()
    with transaction.atomic():
        changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if changed:
            notification.read_at = now
            record(
                "notification.read",
                actor=user,
                obj=notification,
                changes={"read_at": [None, now.isoformat()]},
            )
    if not changed:
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    with transaction.atomic():
        count = Notification.objects.visible_to(user).unread().update(read_at=timezone.now())
        if count:
            record("notification.read_all", actor=user, changes={"count": [None, count]})
    return count


def set_email(user, email: str) -> None:
    """The address the user's notifications are e-mailed to ("" for none)."""
    email = (email or "").strip()
    try:
        if email:
            validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], fields={"email": exc.messages}) from exc
    if email == user.email:
        return
    with transaction.atomic():
        record("account.email_change", actor=user, obj=user, changes={"email": [user.email, email]})
        get_user_model().objects.filter(pk=user.pk).update(email=email)
    user.email = email
