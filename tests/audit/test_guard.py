"""The PostgreSQL triggers that keep the audit tables append-only (qnwmh/audit/guard.py)."""

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from qnwmh.audit import guard
from qnwmh.audit.domain import record
from qnwmh.audit.models import ArchiveCheckpoint, AuditEntry
from qnwmh.audit.verify import verify_chain
from tests.audit.factories import entries

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no such triggers (the chain covers it)")


def check_pending_constraints() -> None:
    """TRUNCATE waits for no foreign-key check pending in the test's own transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def refused(sql: str, params=()) -> str:
    """Run `sql` in a savepoint; return the database's refusal."""
    check_pending_constraints()
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(caught.value).splitlines()[0]


def checkpoint() -> ArchiveCheckpoint:
    return ArchiveCheckpoint.objects.create(
        before=timezone.localdate(),
        entry_count=1,
        first_id=1,
        last_id=1,
        first_seq=1,
        last_seq=1,
        last_hash="0" * 64,
        file_name="a.gz",
        file_sha256="0" * 64,
    )


@pytest.mark.django_db
def test_raw_update_of_an_entry_is_refused():
    row = entries(1)[0]
    assert refused("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [row.pk]) == (
        "qnwmh: UPDATE on audit_auditentry refused: the audit log is append-only"
    )
    row.refresh_from_db()
    assert row.action == "test.0"


@pytest.mark.django_db
def test_raw_delete_of_an_entry_is_refused():
    row = entries(1)[0]
    assert refused("DELETE FROM audit_auditentry WHERE id = %s", [row.pk]) == (
        f"qnwmh: DELETE of audit entry {row.pk} refused: only archive_audit removes entries, "
        "older than 183 days"
    )
    assert AuditEntry.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["audit_auditentry", "audit_archivecheckpoint"])
def test_truncate_is_refused(table):
    entries(1)
    checkpoint()
    statement = {
        "audit_auditentry": "TRUNCATE audit_auditentry CASCADE",
        "audit_archivecheckpoint": "TRUNCATE audit_archivecheckpoint CASCADE",
    }[table]
    assert refused(statement).startswith(f"qnwmh: TRUNCATE on {table} refused")


@pytest.mark.django_db
def test_raw_update_and_delete_of_a_checkpoint_are_refused():
    row = checkpoint()
    assert "append-only" in refused(
        "UPDATE audit_archivecheckpoint SET last_seq = 9 WHERE id = %s", [row.pk]
    )
    assert "append-only" in refused("DELETE FROM audit_archivecheckpoint WHERE id = %s", [row.pk])


@pytest.mark.django_db
def test_archive_setting_lets_only_old_entries_go():
    old = entries(1, days_ago=400)[0]
    recent = entries(1, days_ago=100)[0]
    cutoff = timezone.now()
    with transaction.atomic(), guard.archiving("default", cutoff):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [old.pk])
        assert "refused" in refused("DELETE FROM audit_auditentry WHERE id = %s", [recent.pk])
        assert "append-only" in refused(
            "UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [recent.pk]
        )
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_archive_setting_ends_with_its_transaction():
    old = entries(1, days_ago=400)[0]
    with transaction.atomic(), guard.archiving("default", timezone.now()):
        pass
    assert "refused" in refused("DELETE FROM audit_auditentry WHERE id = %s", [old.pk])


@pytest.mark.django_db(transaction=True)
def test_guard_cannot_be_lifted_outside_a_transaction():
    with pytest.raises(RuntimeError):
        guard.allow_wipe("default")


@pytest.mark.django_db
def test_wipe_setting_lets_the_tables_be_emptied():
    entries(2)
    checkpoint()
    check_pending_constraints()
    with transaction.atomic():
        guard.allow_wipe("default")
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditentry, audit_archivecheckpoint")
    assert (AuditEntry.objects.count(), ArchiveCheckpoint.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_tables():
    entries(2)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_unbroken_chain(world):
    barrier = threading.Barrier(6)
    errors = []

    def append(n):
        try:
            barrier.wait(timeout=10)
            for i in range(5):
                with transaction.atomic():
                    record(f"concurrent.{n}.{i}", actor=world.users["hunan"])
        except Exception as exc:  # the outcome under test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert list(AuditEntry.objects.order_by("id").values_list("seq", flat=True)) == list(
        range(1, 31)
    )
    assert (verify_chain().intact, verify_chain().count) == (True, 30)
