"""Deadline reminders (截止提醒): before a cycle's registration deadline, every collective whose
registration in it is still a draft or was returned hears that the deadline is near — once per
deadline per person and reminder (issue 9 item 6).

DEADLINE_REMINDER_DAYS (default 3 and 1) says when: from 3 days before `registration_closes`
the 3-day reminder is due, from 1 day before the 1-day one, up to the deadline day itself. A job
that runs every hour (Celery beat, or notifications/periodic.py without Redis) sends what is
due; the reminder key holds the cycle, the deadline and the reminder, so a moved deadline makes
the next reminder due again, and a run that missed the 3-day one sends only the most urgent
reminder due. A submitted registration is never reminded.

The registrations app owns "who has a draft"; notifications.remind_once remembers who was told.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qnwmh.audit.domain import record
from qnwmh.cycles.models import Cycle
from qnwmh.notifications.domain import Message, remind_once, reminded
from qnwmh.registrations.eligibility import today_in_shanghai
from qnwmh.registrations.enums import EDITABLE
from qnwmh.registrations.models import Registration

KIND = "registration.deadline"


def due_reminder(days_left: int, days: list[int]) -> int | None:
    """Which reminder is due with `days_left` to the deadline: the most urgent one whose day
    has come (3 days left → 3; 2 → 3; 1 → 1; 0, the deadline day → 1), None before the first
    and after the deadline."""
    due = [d for d in days if days_left <= d]
    return min(due) if due and days_left >= 0 else None


def reminder_key(cycle: Cycle, which: int) -> str:
    return f"{KIND}:{cycle.pk}:{cycle.registration_closes.isoformat()}:{which}"


def send_deadline_reminders(today: datetime.date | None = None) -> int:
    """Remind what is due today in every cycle near its deadline; returns how many people were
    reminded."""
    today = today or today_in_shanghai()
    days = settings.DEADLINE_REMINDER_DAYS
    if not days:
        return 0
    cycles = Cycle.objects.filter(
        registration_closes__gte=today,
        registration_closes__lte=today + datetime.timedelta(days=max(days)),
    )
    sent = 0
    for cycle in cycles:
        which = due_reminder((cycle.registration_closes - today).days, days)
        if which is not None:
            sent += remind_cycle(cycle, which, today)
    return sent


def remind_cycle(cycle: Cycle, which: int, today: datetime.date) -> int:
    """Reminder `which` of one cycle, to the collectives not yet told."""
    key = reminder_key(cycle, which)
    collectives = (
        Registration.objects.filter(
            cycle=cycle,
            state__in=EDITABLE,
            collective__user__isnull=False,
            collective__user__is_active=True,
        )
        .exclude(collective__user_id__in=reminded(key))
        .values_list("collective__user_id", flat=True)
        .order_by()
    )
    # Read at once, not streamed: remind_once writes between its batches.
    sent = remind_once(key, list(collectives), _message(cycle, today))
    if sent:
        record(
            "registration.deadline_reminder",
            obj=cycle,
            scope_unit=cycle.unit,
            changes={"reminded": [None, sent], "deadline": [None, cycle.registration_closes]},
        )
    return sent


def _message(cycle: Cycle, today: datetime.date) -> Message:
    days_left = (cycle.registration_closes - today).days
    names = {"cycle": cycle.name, "days": days_left, "deadline": cycle.registration_closes}
    with translation.override(settings.LANGUAGE_CODE):
        if days_left == 0:
            subject = _("Registration for %(cycle)s closes today") % names
        else:
            subject = (
                ngettext(
                    "Registration for %(cycle)s closes in %(days)d day",
                    "Registration for %(cycle)s closes in %(days)d days",
                    days_left,
                )
                % names
            )
        body = (
            _(
                "Your registration for %(cycle)s has not been submitted (it is a draft, or it "
                "was returned to you). Submit it by the end of %(deadline)s, Beijing time."
            )
            % names
        )
    return Message(
        (),
        kind=KIND,
        subject=subject,
        body=body,
        url=reverse("registrations:edit", args=[cycle.pk]),
    )
