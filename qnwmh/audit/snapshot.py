"""One consistent view of the whole database for a long read (verifying the chain, a backup)."""

from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def read_snapshot(using: str = "default"):
    """Read everything inside as of one moment, without blocking writers.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: a deferred read transaction
    (BEGIN), whose snapshot is fixed by its first read (WAL lets writers go on meanwhile; Django's
    own atomic() would BEGIN IMMEDIATE and take the write lock). Inside a transaction already,
    that transaction is the snapshot."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.in_atomic_block or _in_sqlite_transaction(connection):
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT count(*) FROM sqlite_master")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")


def _in_sqlite_transaction(connection) -> bool:
    """Inside an enclosing read_snapshot (a transaction Django's atomic() does not know of)."""
    return connection.vendor == "sqlite" and connection.connection.in_transaction
