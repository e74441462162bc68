"""Audit entries for tests, and tampering with them behind the ORM's back."""

import datetime

from django.db import connection
from django.utils import timezone

from qnwmh.audit.models import AuditEntry

TABLE = AuditEntry._meta.db_table


def entry(action="test.action", *, days_ago=0, **fields) -> AuditEntry:
    """Append an entry (through the chain, like record()), written `days_ago` days ago."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return AuditEntry.objects.create(action=action, at=at, **fields)


def entries(count: int, *, days_ago=0, prefix="test") -> list[AuditEntry]:
    return [entry(f"{prefix}.{n}", days_ago=days_ago) for n in range(count)]


def tamper(sql: str, params=()) -> None:
    """Run raw SQL on the audit table as someone bypassing the application would. On PostgreSQL
    the guard triggers are switched off first (inside the test's transaction: rolled back with
    it), as a table owner could."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # ALTER TABLE waits for no pending foreign-key checks of this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql.format(table=TABLE), params)
        if postgres:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
