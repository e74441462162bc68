"""Notifications: what a user is told (in-app inbox, e-mail when SMTP is configured).

The one entry point for the rest of the code is `notify_after_commit`: the workflow engine
(and anything else that must tell someone) hands it messages inside its transaction; they are
delivered only once that transaction commits, and never when it rolls back. Nothing sends from
signals.

Delivery stores one inbox row per recipient, in one INSERT per batch of recipients, and hands
the e-mails to mail.py (a Celery task with REDIS_URL, in process without). A failure of either
is logged and never reaches the request that caused it: the request's own work has committed.

The deadline surge (thousands of "submission waiting" messages for the same reviewer): a
message with a `coalesce_key` does not add a row while its recipient still has an unread one of
that key; that row's `occurrences` goes up and it moves to the top — one UPDATE per batch of
recipients, and only the first of them is e-mailed.

`remind_once` is for periodic jobs: it tells each person once per reminder key, however often
the job runs (the Reminder table remembers who was told).
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from qnwmh.notifications import mail
from qnwmh.notifications.models import Notification, Reminder

logger = logging.getLogger(__name__)

# Recipients per INSERT, per UPDATE and per IN list.
BATCH = 1000


@dataclass(frozen=True)
class Message:
    """One thing to tell some users. `recipients` are user ids; `kind` is a stable code
    (e.g. "registration.returned") for filters and for coalescing; `subject` and `body` are
    already-translated Chinese text; `url` is the page the message points to.

    `coalesce_key` (optional, e.g. "registration.waiting:<unit>"): while a recipient has an
    unread notification of the same key, this message is counted into it instead of adding a
    new one (and no further e-mail goes out)."""

    recipients: tuple[int, ...]
    kind: str
    subject: str
    body: str = ""
    url: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    coalesce_key: str = ""


def notify_after_commit(messages: Iterable[Message]) -> None:
    """Deliver `messages` after the current transaction commits (at once outside one)."""
    messages = tuple(m for m in messages if m.recipients)
    if messages:
        # robust: a failed delivery is logged by Django, the committed request goes on.
        transaction.on_commit(partial(deliver, messages), robust=True)


def deliver(messages: tuple[Message, ...]) -> None:
    """Store each message in its recipients' inboxes and send the e-mails."""
    for message in messages:
        try:
            with transaction.atomic():
                fresh = _store(message, timezone.now())
        except Exception:
            logger.exception("notification %s not delivered", message.kind)
            continue
        mail.send_later(message.subject, message.body, message.url, fresh)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """Batches of BATCH distinct ids."""
    size = BATCH
    seen: set[int] = set()
    chunk: list[int] = []
    for pk in ids:
        if pk in seen:
            continue
        seen.add(pk)
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _store(message: Message, now) -> list[int]:
    """The inbox rows of one message; returns the recipients who got a new row."""
    fresh: list[int] = []
    for chunk in _chunks(message.recipients):
        new = _coalesce(message, chunk, now) if message.coalesce_key else chunk
        _insert(message, new, now)
        fresh += new
    return fresh


def _fields(message: Message, now) -> dict:
    return {
        "kind": message.kind[:64],
        "subject": message.subject[:200],
        "body": message.body,
        "url": message.url[:500],
        "created_at": now,
    }


def _coalesce(message: Message, recipients: list[int], now) -> list[int]:
    """Count the message into the recipients' unread notifications of its key; returns those
    who have none (one UPDATE when all or none have one, a SELECT more when some have)."""
    pending = Notification.objects.unread().filter(
        coalesce_key=message.coalesce_key[:200], recipient_id__in=recipients
    )
    updated = pending.update(occurrences=F("occurrences") + 1, **_fields(message, now))
    if updated == 0:
        return recipients
    if updated == len(recipients):
        return []
    counted = set(pending.values_list("recipient_id", flat=True))
    return [r for r in recipients if r not in counted]


def _insert(message: Message, recipients: list[int], now) -> None:
    rows = [
        Notification(
            recipient_id=r, coalesce_key=message.coalesce_key[:200], **_fields(message, now)
        )
        for r in recipients
    ]
    if not rows:
        return
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(rows)
    except IntegrityError:
        if not message.coalesce_key:
            raise
        # A concurrent delivery added the unread notification of this key meanwhile (the
        # unique constraint "inbox_one_unread_per_key"): one by one, count into it instead.
        for row in rows:
            _insert_or_count(row, message, now)


def _insert_or_count(row: Notification, message: Message, now) -> None:
    for _attempt in range(3):
        if _coalesce(message, [row.recipient_id], now) == []:
            return
        try:
            with transaction.atomic():
                row.save(force_insert=True)
            return
        except IntegrityError:
            row.pk = None


# --- periodic reminders ---------------------------------------------------------------------


def reminded(key: str):
    """The ids of the users already reminded under `key`, as a subquery: a reminder job leaves
    them out of its query, so a run after everyone was told reads nothing."""
    return Reminder.objects.filter(key=key[:200]).values("recipient_id")


def remind_once(key: str, recipients: Iterable[int], message: Message) -> int:
    """Send `message` to each of `recipients` not yet reminded under `key`, after the commit;
    returns how many were. Safe to run again and concurrently: the Reminder table's unique key
    lets a person be reminded once (a concurrent run that got there first wins, this one skips
    them)."""
    sent = 0
    for chunk in _chunks(recipients):
        sent += _remind_chunk(key[:200], chunk, message)
    return sent


def _remind_chunk(key: str, recipients: list[int], message: Message) -> int:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                told = set(
                    Reminder.objects.filter(key=key, recipient_id__in=recipients).values_list(
                        "recipient_id", flat=True
                    )
                )
                fresh = [r for r in recipients if r not in told]
                Reminder.objects.bulk_create([Reminder(key=key, recipient_id=r) for r in fresh])
                notify_after_commit([replace(message, recipients=tuple(fresh))])
            return len(fresh)
        except IntegrityError:
            continue  # another run reminded some of them meanwhile: look again
    return 0
