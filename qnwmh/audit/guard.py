"""The database-level guard of the audit tables on PostgreSQL (SQLite has no such triggers:
there the hash chain alone makes a change visible).

- UPDATE of an entry or a checkpoint: always refused.
- DELETE of entries: refused, except inside the transaction of `archive_audit`, which sets
  `qnwmh.audit_archive_before` with SET LOCAL; even then only entries older than that moment
  *and* older than the legal minimum of six months (LEGAL_MINIMUM_DAYS) go.
- DELETE and TRUNCATE of both tables: refused, except inside a transaction that set
  `qnwmh.audit_wipe` with SET LOCAL: `restore --force` and `flush` (which empty the whole
  database on purpose, loudly).

A role that owns the tables can still disable or drop the triggers; the chain is what shows
afterwards that entries were changed or removed (docs/decisions/004-audit-chain.md).
"""

from contextlib import contextmanager
from datetime import datetime

from django.db import connections

# 网络安全法 第二十一条: network logs are kept for no less than six months.
LEGAL_MINIMUM_DAYS = 183

ARCHIVE_SETTING = "qnwmh.audit_archive_before"
WIPE_SETTING = "qnwmh.audit_wipe"

_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION qnwmh_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('{WIPE_SETTING}', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'qnwmh: % on % refused: the audit log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION qnwmh_audit_archive_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    archive_before text := coalesce(current_setting('{ARCHIVE_SETTING}', true), '');
BEGIN
    IF coalesce(current_setting('{WIPE_SETTING}', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    IF archive_before <> ''
       AND OLD.at < archive_before::timestamptz
       AND OLD.at < now() - interval '{LEGAL_MINIMUM_DAYS} days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'qnwmh: DELETE of audit entry % refused: %', OLD.id,
        'only archive_audit removes entries, older than {LEGAL_MINIMUM_DAYS} days'
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def _table_triggers(table: str, delete_function: str) -> str:
    return f"""
CREATE TRIGGER qnwmh_refuse_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION qnwmh_audit_refuse();
CREATE TRIGGER qnwmh_guard_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {delete_function}();
CREATE TRIGGER qnwmh_guard_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION qnwmh_audit_refuse();
"""


def install_sql(entry_table: str, checkpoint_table: str) -> str:
    return (
        _FUNCTIONS
        + _table_triggers(entry_table, "qnwmh_audit_archive_delete")
        + _table_triggers(checkpoint_table, "qnwmh_audit_refuse")
    )


def uninstall_sql(entry_table: str, checkpoint_table: str) -> str:
    drops = [
        f"DROP TRIGGER IF EXISTS {name} ON {table};"
        for table in (entry_table, checkpoint_table)
        for name in ("qnwmh_refuse_update", "qnwmh_guard_delete", "qnwmh_guard_truncate")
    ]
    return "\n".join(
        [
            *drops,
            "DROP FUNCTION IF EXISTS qnwmh_audit_archive_delete();",
            "DROP FUNCTION IF EXISTS qnwmh_audit_refuse();",
        ]
    )


def _set_local(using: str, name: str, value: str) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("the audit guard is lifted only inside a transaction")
    with connection.cursor() as cursor:
        # set_config(..., true) is SET LOCAL: it ends with the transaction.
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


@contextmanager
def archiving(using: str, before: datetime):
    """Let this transaction delete entries older than `before` (and than six months)."""
    _set_local(using, ARCHIVE_SETTING, before.isoformat())
    yield
    # On an error the transaction rolls back, and SET LOCAL with it.
    _set_local(using, ARCHIVE_SETTING, "")


def allow_wipe(using: str) -> None:
    """Let this transaction empty the audit tables (restore --force, flush)."""
    _set_local(using, WIPE_SETTING, "on")
