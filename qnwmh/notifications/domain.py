"""Notifications: what a user is told (in-app inbox, e-mail when SMTP is configured).

The one entry point for the rest of the code is `notify_after_commit`: the workflow engine
(and anything else that must tell someone) hands it messages inside its transaction; they are
delivered only once that transaction commits, and never when it rolls back. Nothing sends from
signals.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction


@dataclass(frozen=True)
class Message:
    """One thing to tell some users. `recipients` are user ids; `kind` is a stable code
    (e.g. "registration.returned") for filters and for coalescing; `subject` and `body` are
    already-translated Chinese text; `url` is the page the message points to."""

    recipients: tuple[int, ...]
    kind: str
    subject: str
    body: str = ""
    url: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def notify_after_commit(messages: Iterable[Message]) -> None:
    """Deliver `messages` after the current transaction commits (at once outside one)."""
    messages = tuple(m for m in messages if m.recipients)
    if messages:
        transaction.on_commit(partial(deliver, messages))


def deliver(messages: tuple[Message, ...]) -> None:
    """Store each message in its recipients' inboxes and send the e-mails."""
