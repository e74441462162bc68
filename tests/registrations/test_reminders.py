"""Deadline reminders (registrations/reminders.py): before a cycle's registration_closes, the
collectives with a draft or a returned registration hear of it once per deadline and reminder;
a moved deadline makes them due again; a submitted registration is never reminded."""

import datetime

import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.notifications.models import Notification
from qnwmh.registrations import reminders
from qnwmh.registrations.eligibility import today_in_shanghai
from qnwmh.registrations.enums import RegistrationState
from tests.registrations.factories import CollectiveFactory, CycleFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = RegistrationState
TODAY = today_in_shanghai()


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def closing(world):
    """A Hunan cycle whose registration closes in 3 days."""
    return CycleFactory(
        unit=world.hunan, name="2026—2027年度测试届次", registration_closes=_days(3)
    )


def _registration(world, cycle, state):
    return RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling), state=state
    )


def _run(today=TODAY, capture=None) -> int:
    with capture(execute=True):
        return reminders.send_deadline_reminders(today)


def _reminded(registration) -> list[str]:
    return list(
        Notification.objects.filter(recipient=registration.collective.user)
        .order_by("id")
        .values_list("subject", flat=True)
    )


@pytest.mark.parametrize(
    ("days_left", "due"),
    [(5, None), (4, None), (3, 3), (2, 3), (1, 1), (0, 1), (-1, None)],
)
def test_the_due_reminder_is_the_most_urgent_whose_day_has_come(days_left, due):
    assert reminders.due_reminder(days_left, [3, 1]) == due


def test_draft_and_returned_are_reminded_once(world, closing, django_capture_on_commit_callbacks):
    draft = _registration(world, closing, S.DRAFT)
    returned = _registration(world, closing, S.RETURNED)
    assert _run(capture=django_capture_on_commit_callbacks) == 2
    assert _run(capture=django_capture_on_commit_callbacks) == 0  # the next hour
    assert _run(_days(1), capture=django_capture_on_commit_callbacks) == 0  # still the 3-day one
    expected = ["「2026—2027年度测试届次」网络报备还有 3 天截止"]
    assert _reminded(draft) == _reminded(returned) == expected
    notification = Notification.objects.filter(recipient=draft.collective.user).get()
    assert notification.url == f"/registrations/mine/{closing.pk}/"
    assert notification.kind == "registration.deadline"
    assert f"请在北京时间 {_days(3)} 当天结束前提交" in notification.body


def test_the_last_reminder_comes_the_day_before(world, closing, django_capture_on_commit_callbacks):
    draft = _registration(world, closing, S.DRAFT)
    for day in range(4):  # 3 days left … the deadline day
        _run(_days(day), capture=django_capture_on_commit_callbacks)
    assert _reminded(draft) == [
        "「2026—2027年度测试届次」网络报备还有 3 天截止",
        "「2026—2027年度测试届次」网络报备还有 1 天截止",
    ]


def test_a_moved_deadline_is_reminded_again(world, closing, django_capture_on_commit_callbacks):
    draft = _registration(world, closing, S.DRAFT)
    _run(capture=django_capture_on_commit_callbacks)
    closing.registration_closes = _days(2)
    closing.save(update_fields=["registration_closes"])
    assert _run(capture=django_capture_on_commit_callbacks) == 1
    assert _run(capture=django_capture_on_commit_callbacks) == 0
    assert _reminded(draft) == [
        "「2026—2027年度测试届次」网络报备还有 3 天截止",
        "「2026—2027年度测试届次」网络报备还有 2 天截止",
    ]


def test_deadline_day_says_today(world, closing, django_capture_on_commit_callbacks):
    draft = _registration(world, closing, S.DRAFT)
    _run(_days(3), capture=django_capture_on_commit_callbacks)
    assert _reminded(draft) == ["「2026—2027年度测试届次」网络报备今天截止"]


@pytest.mark.parametrize(
    "state", [S.SUBMITTED, S.PRE_APPROVED, S.APPROVED, S.CANCELLED, S.NOMINATED]
)
def test_nobody_past_the_draft_is_reminded(
    world, closing, state, django_capture_on_commit_callbacks
):
    registration = _registration(world, closing, state)
    assert _run(capture=django_capture_on_commit_callbacks) == 0
    assert _reminded(registration) == []


def test_a_disabled_collective_account_is_not_reminded(
    world, closing, django_capture_on_commit_callbacks
):
    draft = _registration(world, closing, S.DRAFT)
    draft.collective.user.is_active = False
    draft.collective.user.save(update_fields=["is_active"])
    assert _run(capture=django_capture_on_commit_callbacks) == 0


def test_nothing_before_the_first_reminder_or_after_the_deadline(
    world, django_capture_on_commit_callbacks
):
    early = CycleFactory(unit=world.hunan, registration_closes=_days(4))
    late = CycleFactory(
        unit=world.changde, registration_opens=_days(-30), registration_closes=_days(-1)
    )
    for cycle in (early, late):
        _registration(world, cycle, S.DRAFT)
    assert _run(capture=django_capture_on_commit_callbacks) == 0
    assert Notification.objects.count() == 0


def test_only_the_cycle_of_the_draft_is_named(world, closing, django_capture_on_commit_callbacks):
    other = CycleFactory(unit=world.changde, registration_closes=_days(30))
    collective = CollectiveFactory(unit=world.wuling)
    RegistrationFactory(cycle=closing, collective=collective, state=S.SUBMITTED)
    RegistrationFactory(cycle=other, collective=collective, state=S.DRAFT)
    assert _run(capture=django_capture_on_commit_callbacks) == 0


def test_each_run_that_reminds_is_audited_for_the_organiser(
    world, closing, django_capture_on_commit_callbacks
):
    _registration(world, closing, S.DRAFT)
    _run(capture=django_capture_on_commit_callbacks)
    _run(capture=django_capture_on_commit_callbacks)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.scope_path, entry.changes) == (
        "registration.deadline_reminder",
        world.hunan.path,
        {"reminded": [None, 1], "deadline": [None, str(_days(3))]},
    )


def test_no_reminder_days_configured_sends_nothing(
    world, closing, settings, django_capture_on_commit_callbacks
):
    settings.DEADLINE_REMINDER_DAYS = []
    _registration(world, closing, S.DRAFT)
    assert _run(capture=django_capture_on_commit_callbacks) == 0


def test_the_reminders_run_in_batches(
    world, closing, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("qnwmh.notifications.domain.BATCH", 2)
    drafts = [_registration(world, closing, S.DRAFT) for _ in range(5)]
    assert _run(capture=django_capture_on_commit_callbacks) == 5
    assert all(len(_reminded(d)) == 1 for d in drafts)
