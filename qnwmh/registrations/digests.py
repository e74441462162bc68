"""审核待办提醒: the reviewers hear of the registrations that came to them — an hourly digest,
not a message per submission (issue 9 item 6; notices.py says why).

Each run takes the last whole window (REVIEW_DIGEST_SECONDS, an hour): the registrations that
entered a state under review in it (`updated_at` is stamped by every transition) are grouped by
cycle, unit and state in one query, each group's next reviewers found among the business admins
over it (one query for all; notices.next_reviewers: 初审 by tiers 2/3, approval by tier 1 or
where it is delegated), and each reviewer is told once per cycle and window how many came, with
a link to the queue. The reminder ledger (notifications.remind_once) makes a second run of the
same window, or a concurrent one, tell nobody twice; unread digests of a cycle merge into one
(`coalesce_key`). The submission path itself pays nothing.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.models import User
from qnwmh.core.paths import ancestor_paths
from qnwmh.cycles.models import Cycle
from qnwmh.notifications.domain import Message, remind_once
from qnwmh.registrations.enums import UNDER_REVIEW
from qnwmh.registrations.models import Registration
from qnwmh.registrations.notices import next_reviewers

KIND = "registration.waiting"


def last_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The last whole window before `now`, aligned to its length (so every server and every
    run agrees on it)."""
    seconds = settings.REVIEW_DIGEST_SECONDS
    end = datetime.datetime.fromtimestamp(now.timestamp() // seconds * seconds, tz=datetime.UTC)
    return end - datetime.timedelta(seconds=seconds), end


def send_review_digests(now: datetime.datetime | None = None) -> int:
    """Tell each reviewer how many registrations came to them in the last window; returns how
    many reviewers were told."""
    start, end = last_window(now or timezone.now())
    arrived = list(
        Registration.objects.filter(
            state__in=UNDER_REVIEW, updated_at__gte=start, updated_at__lt=end
        )
        .values_list("cycle_id", "unit_path", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not arrived:
        return 0
    waiting = _waiting_per_reviewer(arrived)
    cycles = Cycle.objects.in_bulk({cycle_id for cycle_id, _reviewer in waiting})
    told = 0
    for (cycle_id, n), recipients in _by_cycle_and_number(waiting).items():
        key = f"{KIND}:{cycle_id}:{start.isoformat()}"
        told += remind_once(key, recipients, _message(cycles[cycle_id], n))
    return told


def _waiting_per_reviewer(arrived) -> dict[tuple[int, int], int]:
    """{(cycle id, reviewer id): how many came to them}."""
    paths = {a for _cycle, path, _state, _n in arrived for a in ancestor_paths(path)}
    over: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, path, tier in User.objects.filter(
        kind=AccountKind.ADMIN,
        admin_role=AdminRole.BUSINESS,
        is_active=True,
        unit__path__in=paths,
    ).values_list("pk", "unit__path", "unit__tier"):
        over[path].append((pk, tier))
    cycles = Cycle.objects.in_bulk({cycle_id for cycle_id, *_rest in arrived})
    waiting: dict[tuple[int, int], int] = defaultdict(int)
    for cycle_id, path, state, n in arrived:
        reviewers = [r for a in ancestor_paths(path) for r in over.get(a, ())]
        for pk in next_reviewers(state, cycles[cycle_id], reviewers):
            waiting[cycle_id, pk] += n
    return waiting


def _by_cycle_and_number(waiting) -> dict[tuple[int, int], list[int]]:
    grouped: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (cycle_id, pk), n in sorted(waiting.items()):
        grouped[cycle_id, n].append(pk)
    return grouped


def _message(cycle: Cycle, n: int) -> Message:
    names = {"cycle": cycle.name, "n": n}
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            ngettext(
                "%(n)d registration is waiting for your review: %(cycle)s",
                "%(n)d registrations are waiting for your review: %(cycle)s",
                n,
            )
            % names
        )
        body = (
            ngettext(
                "In the last hour %(n)d registration of %(cycle)s came to your review queue "
                "(submitted, or passed preliminary review).",
                "In the last hour %(n)d registrations of %(cycle)s came to your review queue "
                "(submitted, or passed preliminary review).",
                n,
            )
            % names
        )
    return Message(
        (),
        kind=KIND,
        subject=subject,
        body=body,
        url=f"{reverse('registrations:queue')}?cycle={cycle.pk}",
        coalesce_key=f"{KIND}:{cycle.pk}",
    )
