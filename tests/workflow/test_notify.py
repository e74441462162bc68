"""Notifications are queued by the engine and delivered only after the commit: built (recipient
lookups included) outside the transaction, never on rollback."""

from dataclasses import replace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from qnwmh.core.errors import Conflict
from qnwmh.jobs.enums import JobStatus as J
from qnwmh.notifications import domain as notifications
from qnwmh.notifications.domain import Message
from qnwmh.workflow import engine
from tests.workflow.toy import TOY


@pytest.fixture
def delivered(monkeypatch) -> list:
    sent: list = []
    monkeypatch.setattr(notifications, "deliver", lambda messages: sent.extend(messages))
    return sent


def test_delivered_after_the_commit(
    world, owner, make_doc, delivered, django_capture_on_commit_callbacks
):
    doc = make_doc(J.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        engine.transition(TOY, "reject", world.users["changde"], doc, reason="材料不全")
        assert delivered == []  # nothing before the commit
    assert delivered == [Message((owner.pk,), "toy.reject", "reject", "材料不全")]


def test_not_delivered_on_rollback(world, make_doc, delivered, django_capture_on_commit_callbacks):
    doc = make_doc(J.RUNNING)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        engine.transition(TOY, "accept", world.users["changde"], doc)
        raise RuntimeError("the enclosing change fails")
    assert delivered == []
    assert doc.__class__.objects.get(pk=doc.pk).status == J.RUNNING


def test_a_refused_action_notifies_nobody(
    world, make_doc, delivered, django_capture_on_commit_callbacks
):
    doc = make_doc(J.DONE)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        engine.transition(TOY, "accept", world.users["changde"], doc)
    assert delivered == []


def test_messages_are_built_after_the_transaction(
    world, owner, make_doc, delivered, django_capture_on_commit_callbacks, monkeypatch
):
    inside_the_change: list = []

    def build(job, change):
        inside_the_change.append(bool(connection.savepoint_ids))
        return [Message((owner.pk,), "toy.accept", "accept")]

    accept = TOY.actions["accept"]
    monkeypatch.setitem(TOY.actions, "accept", replace(accept, notify=build))
    doc = make_doc(J.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as during:
            engine.transition(TOY, "accept", world.users["changde"], doc)
        assert inside_the_change == []  # not built during the transition
    assert inside_the_change == [False]  # built once the engine's transaction is over
    assert [m.kind for m in delivered] == ["toy.accept"]
    assert during.captured_queries[-1]["sql"].startswith("RELEASE SAVEPOINT")
