"""The reviewers' hourly digest of registrations waiting for them (registrations/digests.py):
who acts next hears how many came in the last window, once per cycle and window."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.notifications import domain as notifications
from qnwmh.registrations.digests import last_window, send_review_digests
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration
from tests.factories import UserFactory
from tests.registrations.factories import CollectiveFactory, RegistrationFactory

NOW = datetime.datetime(2026, 6, 1, 9, 20, tzinfo=datetime.UTC)
IN_WINDOW = datetime.datetime(2026, 6, 1, 8, 30, tzinfo=datetime.UTC)


@pytest.fixture
def delivered(monkeypatch, django_capture_on_commit_callbacks) -> list:
    sent: list = []
    monkeypatch.setattr(notifications, "deliver", lambda messages: sent.extend(messages))
    return sent


def arrived(cycle, collective, state, at=IN_WINDOW) -> Registration:
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=state)
    Registration.objects.filter(pk=registration.pk).update(updated_at=at)
    return registration


def digest(django_capture_on_commit_callbacks, now=NOW) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return send_review_digests(now)


def test_the_last_whole_hour_is_the_window():
    assert last_window(NOW) == (
        datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC),
    )


def test_submissions_reach_the_tier_2_and_3_reviewers_with_their_number(
    world, cycle, collective, other_collective, delivered, django_capture_on_commit_callbacks
):
    arrived(cycle, collective, S.SUBMITTED)
    arrived(cycle, other_collective, S.SUBMITTED)
    assert digest(django_capture_on_commit_callbacks) == 2
    [message] = delivered
    assert message.recipients == (world.users["changde"].pk, world.users["wuling"].pk)
    assert message.subject == "2 条网络报备等待您审核：2025—2026年度测试届次"
    assert (message.kind, message.url) == (
        "registration.waiting",
        f"/registrations/queue/?cycle={cycle.pk}",
    )
    assert message.coalesce_key == f"registration.waiting:{cycle.pk}"


def test_a_submission_to_a_province_directly_reaches_its_approvers(
    world, cycle, delivered, django_capture_on_commit_callbacks
):
    collective = CollectiveFactory(unit=world.hunan, code="hn0001", name="湖南省直属集体")
    arrived(cycle, collective, S.SUBMITTED)
    digest(django_capture_on_commit_callbacks)
    assert [m.recipients for m in delivered] == [(world.users["hunan"].pk,)]


def test_a_pre_approved_one_reaches_the_active_approvers(
    world, cycle, collective, delivered, django_capture_on_commit_callbacks
):
    second = UserFactory(unit=world.hunan)
    UserFactory(unit=world.hunan, is_active=False)
    arrived(cycle, collective, S.PRE_APPROVED)
    digest(django_capture_on_commit_callbacks)
    assert [m.recipients for m in delivered] == [(world.users["hunan"].pk, second.pk)]


def test_where_approval_is_delegated_tiers_2_and_3_approve(
    world, cycle, collective, delivered, django_capture_on_commit_callbacks
):
    cycle.approval_delegated = True
    cycle.save()
    arrived(cycle, collective, S.PRE_APPROVED)
    digest(django_capture_on_commit_callbacks)
    assert [m.recipients for m in delivered] == [
        (world.users["changde"].pk, world.users["wuling"].pk)
    ]


def test_each_reviewer_is_told_once_per_window(
    world, cycle, collective, delivered, django_capture_on_commit_callbacks
):
    arrived(cycle, collective, S.SUBMITTED)
    assert digest(django_capture_on_commit_callbacks) == 2
    assert digest(django_capture_on_commit_callbacks) == 0
    assert digest(django_capture_on_commit_callbacks, NOW + datetime.timedelta(hours=1)) == 0
    assert len(delivered) == 1


@pytest.mark.parametrize(
    ("state", "at"),
    [
        (S.SUBMITTED, IN_WINDOW - datetime.timedelta(hours=1)),  # an earlier window's
        (S.SUBMITTED, NOW),  # the window still running
        (S.RETURNED, IN_WINDOW),  # no longer waiting
        (S.APPROVED, IN_WINDOW),
    ],
)
def test_only_what_came_in_the_window_and_still_waits_is_told(
    world, cycle, collective, delivered, django_capture_on_commit_callbacks, state, at
):
    arrived(cycle, collective, state, at)
    assert digest(django_capture_on_commit_callbacks) == 0
    assert delivered == []


def test_the_digest_reads_in_a_fixed_number_of_queries(
    world, cycle, delivered, django_capture_on_commit_callbacks
):
    def queries(n: int) -> int:
        later = datetime.timedelta(hours=n)
        for i in range(n):
            collective = CollectiveFactory(
                unit=world.wuling, code=f"dg{n}{i:03d}", name=f"集{n}-{i}"
            )
            arrived(cycle, collective, S.SUBMITTED, IN_WINDOW + later)
        with CaptureQueriesContext(connection) as during:
            digest(django_capture_on_commit_callbacks, NOW + later)
        return len(during.captured_queries)

    assert queries(1) == queries(5)
