"""The hash chain of the audit log and `manage.py verify_audit` (qnwmh/audit/verify.py)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from qnwmh.audit import hashing
from qnwmh.audit.domain import record
from qnwmh.audit.models import AppendOnlyError, AuditEntry
from qnwmh.audit.verify import Reason, verify_chain
from tests.audit.factories import entries, entry, tamper
from tests.conftest import count_queries

pytestmark = pytest.mark.django_db


def run_verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_appended_entries_link_to_each_other(world):
    first = record("unit.create", actor=world.users["hunan"], obj=world.changde)
    second = record("unit.rename", actor=world.users["hunan"], obj=world.changde)
    assert (first.seq, first.prev_hash) == (1, hashing.GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.entry_hash)
    second.refresh_from_db()
    assert second.entry_hash == hashing.entry_hash(second.content())


def test_valid_chain_verifies():
    entries(5)
    result = verify_chain()
    assert (result.intact, result.count, result.last_seq) == (True, 5, 5)
    assert result.last_hash == AuditEntry.objects.get(seq=5).entry_hash


def test_empty_log_verifies():
    assert (verify_chain().intact, verify_chain().count) == (True, 0)


def test_verify_audit_prints_the_count():
    entries(3)
    code, out, err = run_verify()
    assert (code, out.splitlines()[0], err) == (0, "审计日志完整：3 条", "")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "unit.delete"),
        ("actor_username", "someone-else"),
        ("object_repr", "另一个集体"),
        ("changes", '{"name": ["a", "b"]}'),
        ("at", "2020-01-01 00:00:00"),
        ("ip", "10.0.0.9"),
        ("entry_hash", "0" * 64),
        ("prev_hash", "0" * 64),
    ],
)
def test_changed_column_is_reported_at_that_entry(column, value):
    rows = entries(5)
    tamper(f"UPDATE {{table}} SET {column} = %s WHERE id = %s", [value, rows[2].pk])  # noqa: S608
    broken = verify_chain().broken
    assert (broken.reason, broken.entry_id, broken.seq) == (Reason.CONTENT, rows[2].pk, 3)


def test_deleted_entry_is_reported_as_missing():
    rows = entries(5)
    tamper("DELETE FROM {table} WHERE id = %s", [rows[2].pk])
    broken = verify_chain().broken
    assert (broken.reason, broken.entry_id, broken.missing_from, broken.missing_to) == (
        Reason.MISSING,
        rows[3].pk,
        3,
        3,
    )
    assert broken.message == (
        f"第 {rows[3].pk} 条审计记录（序号 4）之前缺少审计记录：序号 3 至 3。"
    )


def test_deleted_oldest_entry_is_reported_as_missing():
    rows = entries(3)
    tamper("DELETE FROM {table} WHERE id = %s", [rows[0].pk])
    broken = verify_chain().broken
    assert (broken.reason, broken.entry_id, broken.missing_from) == (Reason.MISSING, rows[1].pk, 1)


def test_rewritten_entry_with_a_fresh_hash_breaks_the_next_link():
    rows = entries(4)
    forged = rows[1].content() | {"action": "unit.delete"}
    tamper(
        "UPDATE {table} SET action = %s, entry_hash = %s WHERE id = %s",
        ["unit.delete", hashing.entry_hash(forged), rows[1].pk],
    )
    broken = verify_chain().broken
    assert (broken.reason, broken.entry_id, broken.seq) == (Reason.LINK, rows[2].pk, 3)


def test_entry_moved_to_the_end_is_reported_where_the_gap_opens():
    rows = entries(3)
    tamper("UPDATE {table} SET id = %s WHERE id = %s", [rows[2].pk + 100, rows[0].pk])
    broken = verify_chain().broken
    assert (broken.reason, broken.entry_id, broken.missing_from) == (Reason.MISSING, rows[1].pk, 1)


def test_verify_audit_names_the_first_break_and_exits_nonzero():
    rows = entries(4)
    tamper("UPDATE {table} SET action = 'x' WHERE id = %s", [rows[1].pk])
    tamper("UPDATE {table} SET action = 'y' WHERE id = %s", [rows[3].pk])
    code, out, err = run_verify()
    assert (code, out) == (1, "")
    assert err.strip() == (f"第 {rows[1].pk} 条审计记录（序号 2）已被改动：内容与其哈希值不符。")


def test_chain_continues_after_a_verified_break_is_left_alone():
    rows = entries(2)
    tamper("UPDATE {table} SET action = 'x' WHERE id = %s", [rows[1].pk])
    later = entry("after")
    assert later.prev_hash == rows[1].entry_hash


def test_orm_refuses_bulk_writes():
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry(action="x")])
    rows = entries(1)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update(rows, ["action"])


def test_record_costs_a_fixed_number_of_queries(world):
    record("x", actor=world.users["hunan"])
    expected = 3 if connection.vendor == "postgresql" else 2  # (lock,) tail, insert
    assert count_queries(lambda: record("y", actor=world.users["hunan"])) == expected


def test_canonical_form_is_stable_across_number_spellings():
    base = {name: "" for name in hashing.CONTENT_FIELDS} | {"seq": 1, "at": None}
    as_float = base | {"changes": {"n": [1.0, 1e300, 0.1, -0.0]}}
    as_read_back = base | {"changes": {"n": [1, 10**300, 0.1, 0]}}
    assert hashing.canonical(as_float) == hashing.canonical(as_read_back)
    assert hashing.canonical(base | {"changes": {"n": 1}}) != hashing.canonical(
        base | {"changes": {"n": "1"}}
    )
    assert hashing.canonical(base | {"changes": {"n": True}}) != hashing.canonical(
        base | {"changes": {"n": 1}}
    )


def test_stored_changes_hash_the_same_after_reading_back():
    stored = entry("numbers", changes={"a": [1.5, 2.0], "b": {"z": 1, "a": [None, True]}})
    stored.refresh_from_db()
    assert stored.entry_hash == hashing.entry_hash(stored.content())
    assert stored.changes == {"a": [1.5, 2.0], "b": {"z": 1, "a": [None, True]}}
