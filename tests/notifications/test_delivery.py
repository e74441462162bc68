"""Delivery (domain.py): one inbox row per recipient in one INSERT per batch, after the commit
only; coalescing for the deadline surge; e-mail to those with an address, never breaking the
request."""

import logging

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from qnwmh.notifications import domain, tasks
from qnwmh.notifications.domain import Message, deliver, notify_after_commit
from qnwmh.notifications.models import Notification
from tests.factories import UserFactory
from tests.notifications.factories import waiting

pytestmark = pytest.mark.django_db


def _returned(*users) -> Message:
    return Message(
        tuple(u.pk for u in users),
        kind="registration.returned",
        subject="报备被退回",
        body="退回理由：人数不足。",
        url="/registrations/1/",
    )


def _statements(queries, verb: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith(verb)]


def _inbox(user) -> list[tuple]:
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("id")
        .values_list("kind", "subject", "body", "url", "occurrences", "read_at")
    )


# --- storing -----------------------------------------------------------------------------------


def test_deliver_stores_one_row_per_recipient(world):
    hunan, changde = world.users["hunan"], world.users["changde"]
    deliver((_returned(hunan, changde, hunan),))
    expected = [
        (
            "registration.returned",
            "报备被退回",
            "退回理由：人数不足。",
            "/registrations/1/",
            1,
            None,
        )
    ]
    assert _inbox(hunan) == expected
    assert _inbox(changde) == expected


def test_deliver_inserts_in_one_statement_per_batch(world, monkeypatch):
    users = [UserFactory(unit=world.wuling) for _ in range(7)]
    monkeypatch.setattr(domain, "BATCH", 3)
    with CaptureQueriesContext(connection) as queries:
        deliver((_returned(*users),))
    assert len(_statements(queries, "INSERT")) == 3  # 3 + 3 + 1 recipients
    assert Notification.objects.filter(recipient__in=users).count() == 7


def test_messages_without_recipients_are_not_queued(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notify_after_commit([Message((), kind="x", subject="无人")])
    assert callbacks == []


# --- after commit only -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_delivers_nothing(world):
    hunan = world.users["hunan"]
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_after_commit([_returned(hunan)])
        raise RuntimeError("the change failed")
    assert _inbox(hunan) == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_delivers_once(world):
    hunan = world.users["hunan"]
    with transaction.atomic():
        notify_after_commit([_returned(hunan)])
        assert _inbox(hunan) == []  # not before the commit
    assert len(_inbox(hunan)) == 1
    with transaction.atomic():
        pass  # a later transaction does not deliver it again
    assert len(_inbox(hunan)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_does_not_break_the_committed_request(world, monkeypatch, caplog):
    def broken(message, now):
        raise RuntimeError("database trouble")

    monkeypatch.setattr(domain, "_store", broken)
    with caplog.at_level(logging.ERROR), transaction.atomic():
        notify_after_commit([_returned(world.users["hunan"])])
    assert "not delivered" in caplog.text


# --- coalescing (the deadline surge) -----------------------------------------------------------


def test_a_surge_for_one_reviewer_stays_one_unread_notification(reviewer):
    for n in range(1, 6):
        deliver((waiting(reviewer, n=n),))
    assert _inbox(reviewer) == [
        (
            "registration.waiting",
            "集体5提交了报备，等待审核",
            "请及时审核。",
            "/registrations/queue/",
            5,
            None,
        )
    ]


def test_coalescing_costs_one_update_when_everyone_has_one(world, reviewer):
    other = world.users["hunan"]
    deliver((waiting(reviewer, other),))
    with CaptureQueriesContext(connection) as queries:
        deliver((waiting(reviewer, other, n=2),))
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == ["UPDATE"]


def test_once_read_the_next_message_starts_a_new_notification(reviewer):
    deliver((waiting(reviewer),))
    Notification.objects.update(read_at="2026-01-01T00:00:00Z")
    deliver((waiting(reviewer, n=2),))
    assert [(row[1], row[4]) for row in _inbox(reviewer)] == [
        ("集体1提交了报备，等待审核", 1),
        ("集体2提交了报备，等待审核", 1),
    ]


def test_coalescing_counts_in_those_who_have_one_and_adds_for_the_others(world, reviewer):
    other = world.users["hunan"]
    deliver((waiting(reviewer),))
    deliver((waiting(reviewer, other, n=2),))
    assert [row[4] for row in _inbox(reviewer)] == [2]
    assert [row[4] for row in _inbox(other)] == [1]


def test_a_racing_delivery_is_counted_in_not_added(reviewer, monkeypatch):
    # The other delivery's row appears between this one's UPDATE (none found) and its INSERT:
    # the unique constraint refuses the second unread row, and the message is counted in.
    deliver((waiting(reviewer),))
    real = domain._coalesce
    calls = []

    def missed_once(message, recipients, now):
        calls.append(recipients)
        return recipients if len(calls) == 1 else real(message, recipients, now)

    monkeypatch.setattr(domain, "_coalesce", missed_once)
    deliver((waiting(reviewer, n=2),))
    assert [(row[1], row[4]) for row in _inbox(reviewer)] == [("集体2提交了报备，等待审核", 2)]


def test_messages_without_a_key_are_never_coalesced(reviewer):
    deliver((_returned(reviewer),))
    deliver((_returned(reviewer),))
    assert [row[4] for row in _inbox(reviewer)] == [1, 1]


# --- e-mail ------------------------------------------------------------------------------------


def test_email_goes_to_each_recipient_with_an_address(world, email_on, settings):
    settings.SITE_URL = "https://qnwmh.example.cn"
    hunan, changde = world.users["hunan"], world.users["changde"]
    hunan.email = "hunan@example.cn"
    hunan.save(update_fields=["email"])
    deliver((_returned(hunan, changde),))
    assert [(m.to, m.subject, m.from_email) for m in mail.outbox] == [
        (["hunan@example.cn"], "报备被退回", "qnwmh@localhost")
    ]
    assert mail.outbox[0].body == (
        "退回理由：人数不足。\n\nhttps://qnwmh.example.cn/registrations/1/\n\n"
        "此邮件由系统自动发送，请勿回复。"
    )
    assert len(_inbox(changde)) == 1  # in the inbox all the same


def test_no_email_when_email_is_not_configured(world):
    hunan = world.users["hunan"]
    hunan.email = "hunan@example.cn"
    hunan.save(update_fields=["email"])
    deliver((_returned(hunan),))
    assert mail.outbox == []
    assert len(_inbox(hunan)) == 1


def test_no_email_to_a_disabled_account(world, email_on):
    hunan = world.users["hunan"]
    hunan.email, hunan.is_active = "hunan@example.cn", False
    hunan.save(update_fields=["email", "is_active"])
    deliver((_returned(hunan),))
    assert mail.outbox == []


def test_a_coalesced_message_is_emailed_once(reviewer, email_on):
    reviewer.email = "reviewer@example.cn"
    reviewer.save(update_fields=["email"])
    for n in range(1, 4):
        deliver((waiting(reviewer, n=n),))
    assert [m.subject for m in mail.outbox] == ["集体1提交了报备，等待审核"]


def test_a_failing_mail_server_is_logged_not_raised(world, email_on, monkeypatch, caplog):
    def refused(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("qnwmh.notifications.mail.send_mass_mail", refused)
    hunan = world.users["hunan"]
    hunan.email = "hunan@example.cn"
    hunan.save(update_fields=["email"])
    with caplog.at_level(logging.ERROR):
        deliver((_returned(hunan),))
    assert "notification e-mail failed" in caplog.text
    assert len(_inbox(hunan)) == 1


def test_email_is_handed_to_the_celery_task(world, email_on, monkeypatch):
    # With REDIS_URL the task goes to a worker; without, Celery runs it eagerly in process.
    queued = []
    monkeypatch.setattr(tasks.send_email, "delay", lambda *args: queued.append(args))
    hunan = world.users["hunan"]
    deliver((_returned(hunan),))
    assert queued == [("报备被退回", "退回理由：人数不足。", "/registrations/1/", [hunan.pk])]


def test_a_broker_that_cannot_be_reached_is_logged_not_raised(world, email_on, monkeypatch, caplog):
    def unreachable(*args):
        raise OSError("redis down")

    monkeypatch.setattr(tasks.send_email, "delay", unreachable)
    with caplog.at_level(logging.ERROR):
        deliver((_returned(world.users["hunan"]),))
    assert "not queued" in caplog.text
    assert len(_inbox(world.users["hunan"])) == 1
