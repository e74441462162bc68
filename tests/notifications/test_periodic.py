"""The periodic tasks without Redis (periodic.py): started by a request at most once per period,
in a thread; `manage.py send_reminders` runs them for cron."""

import datetime
import io
import logging
import threading

import pytest
from django.core.management import call_command

from qnwmh.notifications import periodic
from qnwmh.notifications.models import Notification
from qnwmh.registrations.eligibility import today_in_shanghai
from qnwmh.registrations.enums import RegistrationState
from tests.registrations.factories import CollectiveFactory, CycleFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_process(monkeypatch):
    monkeypatch.setattr(periodic, "_next_run", 0.0)


@pytest.fixture
def started(monkeypatch, fresh_process) -> list:
    calls = []
    monkeypatch.setattr(periodic, "start", lambda: calls.append(1))
    return calls


@pytest.fixture
def draft_near_deadline(world):
    cycle = CycleFactory(
        unit=world.hunan, registration_closes=today_in_shanghai() + datetime.timedelta(days=1)
    )
    return RegistrationFactory(
        cycle=cycle,
        collective=CollectiveFactory(unit=world.wuling),
        state=RegistrationState.DRAFT,
    )


def test_claim_once_per_period(settings, fresh_process):
    settings.PERIODIC_IN_PROCESS_SECONDS = 3600
    assert [periodic.claim(t) for t in (100.0, 101.0, 3699.0, 3700.0)] == [
        True,
        False,
        False,
        True,
    ]


def test_requests_start_the_schedule_once_an_hour(world, login_as, settings, started):
    settings.PERIODIC_IN_PROCESS = True
    client = login_as(world.users["hunan"])
    for _ in range(3):
        assert client.get("/notifications/").status_code == 200
    assert started == [1]


def test_nothing_starts_when_switched_off(world, login_as, started):
    # PERIODIC_IN_PROCESS is off in the tests (conftest), as with REDIS_URL (beat runs them).
    login_as(world.users["hunan"]).get("/notifications/")
    assert started == []


def test_the_schedule_sends_the_deadline_reminders(
    draft_near_deadline, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        results = periodic.run_schedule()
    assert sorted(results) == ["anchor-audit", "deadline-reminders", "reap-jobs", "review-digests"]
    assert (results["deadline-reminders"], results["review-digests"], results["reap-jobs"]) == (
        1,
        0,
        0,
    )
    assert results["anchor-audit"] is not None
    assert Notification.objects.get().recipient == draft_near_deadline.collective.user


def test_a_failing_task_is_logged_and_the_others_run(settings, caplog):
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": "no.such.task", "schedule": 3600.0},
        "deadline-reminders": {
            "task": "qnwmh.registrations.send_deadline_reminders",
            "schedule": 3600.0,
        },
    }
    with caplog.at_level(logging.ERROR):
        assert periodic.run_schedule() == {"broken": None, "deadline-reminders": 0}
    assert "periodic task broken failed" in caplog.text


def test_the_thread_runs_the_schedule_and_closes_its_connections(monkeypatch):
    done = threading.Event()
    ran = []
    monkeypatch.setattr(periodic, "run_schedule", lambda: ran.append("schedule"))
    monkeypatch.setattr(
        periodic.connections, "close_all", lambda: (ran.append("closed"), done.set())
    )
    periodic.start()
    assert done.wait(5)
    assert ran == ["schedule", "closed"]


def test_send_reminders_command(draft_near_deadline, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["deadline-reminders: 1", "review-digests: 0"]
    assert [line.split(":")[0] for line in lines[2:]] == ["anchor-audit", "reap-jobs"]
    assert Notification.objects.count() == 1
