"""The writes every submission shares go last (docs/performance.md, deadline surge): the subtree
counts' deltas in one statement, then the audit entry, then the commit. So a submission holds the
national, province, city and county count rows and the audit chain's lock for those statements
only, and a second submission is not kept waiting while the first writes its history.

The PostgreSQL tests pause one submission right after its history row and check that another
submission of the same units finishes meanwhile; the control run puts the counts and the audit
entry back in the middle of the transaction and must see the second submission blocked."""

import threading
from collections import Counter
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from qnwmh.audit.domain import appended_last, record
from qnwmh.audit.models import AuditEntry
from qnwmh.registrations import counts, domain
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration, RegistrationCount, Transition
from qnwmh.registrations.workflow import REGISTRATION
from tests.registrations.counting import table_differs_from_live
from tests.registrations.factories import (
    CollectiveFactory,
    RegistrationFactory,
    valid_plan,
    valid_profile,
)

SHARED = ("registrations_registrationcount", "audit_auditentry", "audit_archivecheckpoint")


def _writes_after_the_counts(queries) -> list[str]:
    """The statements from the first count write on, each named by what it touches."""
    sql = [q["sql"] for q in queries.captured_queries]
    first = next(i for i, s in enumerate(sql) if "registrations_registrationcount" in s)
    named = []
    for statement in sql[first:]:
        if statement.startswith(("RELEASE SAVEPOINT", "SAVEPOINT")):
            continue
        if "pg_advisory_xact_lock" in statement:
            named.append("chain lock")
            continue
        touched = [table for table in SHARED if table in statement]
        named.append(touched[0] if touched else statement[:60])
    return named


def _without_empty_log(named: list[str]) -> list[str]:
    # The archive checkpoints are read only while the log is empty.
    return [n for n in named if n != "audit_archivecheckpoint"]


def _chain(*names) -> list[str]:
    lock = ["chain lock"] if connection.vendor == "postgresql" else []
    return [*names[:1], *lock, *names[1:]]


@pytest.mark.django_db
def test_submit_writes_counts_then_audit_last(cycle, collective):
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=S.DRAFT)
    with CaptureQueriesContext(connection) as queries:
        domain.submit(collective.user, registration)

    assert _without_empty_log(_writes_after_the_counts(queries)) == _chain(
        "registrations_registrationcount", "audit_auditentry", "audit_auditentry"
    )
    assert counts.differences(cycle.pk) == []


@pytest.mark.django_db
def test_first_save_writes_counts_then_audit_last(cycle, collective):
    with CaptureQueriesContext(connection) as queries:
        domain.save_draft(collective.user, cycle, valid_profile(), valid_plan())

    assert _without_empty_log(_writes_after_the_counts(queries)) == _chain(
        "registrations_registrationcount", "audit_auditentry", "audit_auditentry"
    )
    assert counts.differences(cycle.pk) == []


@pytest.mark.django_db
def test_save_without_a_change_of_key_writes_no_count(cycle, collective):
    domain.save_draft(collective.user, cycle, valid_profile(), valid_plan())
    with CaptureQueriesContext(connection) as queries:
        domain.save_draft(collective.user, cycle, valid_profile(member_count=21), valid_plan())

    assert not [q for q in queries.captured_queries if "registrationcount" in q["sql"]]
    assert AuditEntry.objects.filter(action="registration.save_draft").count() == 2


@pytest.mark.django_db
def test_rolled_back_inner_block_drops_its_deltas_and_entries(world, cycle):
    key = (cycle.pk, world.wuling.path, S.DRAFT, False, False)
    with transaction.atomic(), appended_last(), counts.added_last():
        counts.add(Counter({key: 1}))
        record("test.kept", actor=world.users["hunan"])
        try:
            with transaction.atomic(), appended_last(), counts.added_last():
                counts.add(Counter({key: 5}))
                record("test.dropped", actor=world.users["hunan"])
                raise RuntimeError("undone")
        except RuntimeError:
            pass
        assert not RegistrationCount.objects.exists()  # nothing written before the end

    stored = counts.stored_rows(cycle.pk)
    assert (stored[key], stored[(cycle.pk, world.national.path, S.DRAFT, False, False)]) == (1, 1)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.kept"]


@pytest.mark.django_db(transaction=True)
def test_writes_last_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError), counts.added_last():
        pass
    with pytest.raises(RuntimeError), appended_last():
        pass


# --- PostgreSQL: a second submission does not wait for the first one's history --------------


class _PausingHistory:
    """Transition.objects for the workflow engine that stops the chosen registration's
    transaction right after its history row until released."""

    def __init__(self, registration_id: int):
        self.registration_id = registration_id
        self.inside = threading.Event()
        self.release = threading.Event()

    def create(self, **fields):
        row = Transition.objects.create(**fields)
        if fields["registration"].pk == self.registration_id:
            self.inside.set()
            self.release.wait(timeout=20)
        return row


def _in_thread(call) -> tuple[threading.Thread, list]:
    outcome: list = []

    def worker():
        try:
            outcome.append(call())
        except Exception as exc:  # the outcome under test
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    return thread, outcome


def _second_submit_while_first_paused(world, cycle, monkeypatch) -> tuple[bool, list, list]:
    """Submit A, paused after its history row; meanwhile submit B of the same units. Return
    whether B finished while A was paused, and both outcomes."""
    first, second = (
        RegistrationFactory(
            cycle=cycle,
            collective=CollectiveFactory(unit=world.wuling, code=f"wl9{i}", name=f"同时提交{i}"),
            state=S.DRAFT,
        )
        for i in range(2)
    )
    pausing = _PausingHistory(first.pk)
    monkeypatch.setattr(REGISTRATION, "history", SimpleNamespace(objects=pausing))

    def submit(registration):
        fresh = Registration.objects.select_related("cycle", "collective", "unit").get(
            pk=registration.pk
        )
        return domain.submit(fresh.collective.user, fresh)

    thread_a, outcome_a = _in_thread(lambda: submit(first))
    try:
        assert pausing.inside.wait(timeout=20)
        thread_b, outcome_b = _in_thread(lambda: submit(second))
        thread_b.join(timeout=3)
        finished_meanwhile = not thread_b.is_alive()
    finally:
        pausing.release.set()
    thread_a.join(timeout=20)
    thread_b.join(timeout=20)
    return finished_meanwhile, outcome_a, outcome_b


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_second_submit_does_not_wait_for_the_first_ones_history(world, cycle, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")

    finished, outcome_a, outcome_b = _second_submit_while_first_paused(world, cycle, monkeypatch)

    assert finished
    assert [type(o) for o in (*outcome_a, *outcome_b)] == [Registration, Registration]
    assert counts.differences(cycle.pk) == []
    assert table_differs_from_live(cycle) == {}
    submitted = counts.stored_rows(cycle.pk)[
        (cycle.pk, world.national.path, S.SUBMITTED, False, False)
    ]
    assert submitted == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_counts_in_the_middle_keep_the_second_submit_waiting(world, cycle, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")
    # The shared writes where they were: the counts before the history, the audit entry after.
    monkeypatch.setattr(REGISTRATION, "writes_last", transaction.atomic)

    finished, outcome_a, outcome_b = _second_submit_while_first_paused(world, cycle, monkeypatch)

    assert not finished
    assert [type(o) for o in (*outcome_a, *outcome_b)] == [Registration, Registration]
    assert counts.differences(cycle.pk) == []
