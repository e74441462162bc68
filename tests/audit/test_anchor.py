"""The audit head anchored outside the table (qnwmh/audit/anchor.py, issue 12 #3): deleting the
newest entries — by a role able to disable the triggers — is reported by verify_audit."""

import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from qnwmh.audit import anchor
from qnwmh.audit.domain import record
from qnwmh.audit.models import AuditEntry
from qnwmh.audit.tasks import anchor_audit
from tests.audit.factories import entries, tamper

pytestmark = pytest.mark.django_db


def run_verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, err.getvalue().strip()


def test_anchor_audit_appends_the_signed_head(settings):
    entries(3)
    out = io.StringIO()
    call_command("anchor_audit", stdout=out)
    head = AuditEntry.objects.get(seq=3).entry_hash
    assert (
        out.getvalue().strip() == f"已锚定序号 3，哈希 {head}，位于 {settings.AUDIT_ANCHOR_PATH}。"
    )
    [line] = settings.AUDIT_ANCHOR_PATH.read_text().splitlines()
    data = json.loads(line)
    assert (data["seq"], data["hash"]) == (3, head)
    assert data["mac"] == anchor.sign(anchor.Anchor(3, head, data["at"]))


def test_the_beat_task_anchors_too(settings):
    entries(2)
    assert anchor_audit() == 2
    assert len(settings.AUDIT_ANCHOR_PATH.read_text().splitlines()) == 1


def test_an_intact_anchored_log_verifies():
    entries(3)
    anchor.write_anchor()
    entries(2)  # written after the anchor: fine
    assert run_verify() == (0, "")


def test_deleting_the_anchored_tail_is_reported():
    entries(5)
    written = anchor.write_anchor()
    tamper("DELETE FROM {table} WHERE seq > 3")
    code, err = run_verify()
    assert code == 1
    assert err == (f"最新的审计记录被删除：{written.at} 的锚点记录了序号 5，而日志现在止于序号 3。")


def test_deleting_the_tail_and_writing_anew_is_reported():
    entries(5)
    anchor.write_anchor()
    tamper("DELETE FROM {table} WHERE seq > 3")
    entries(3)  # seq 4, 5, 6 again, with other content
    code, err = run_verify()
    assert code == 1
    assert "审计记录序号 5 不是" in err


def test_a_forged_anchor_line_is_reported(settings):
    entries(2)
    anchor.write_anchor()
    with settings.AUDIT_ANCHOR_PATH.open("a") as stream:
        stream.write(json.dumps({"seq": 1, "hash": "x", "at": "now", "mac": "0" * 64}) + "\n")
    code, err = run_verify()
    assert (code, err) == (1, f"审计锚点文件 {settings.AUDIT_ANCHOR_PATH} 中有 1 行签名无效。")


def test_the_key_signs(settings):
    entries(1)
    anchor.write_anchor()
    settings.AUDIT_ANCHOR_KEY = "another key"
    assert run_verify()[0] == 1


def test_archive_audit_anchors_the_head_after_its_entry(tmp_path, settings):
    from qnwmh.audit.archive import archive_entries
    from tests.audit.factories import entry

    for _ in range(3):
        entry("old.entry", days_ago=400)
    import datetime

    from django.utils import timezone

    before = timezone.localdate() - datetime.timedelta(days=300)
    archive_entries(before, tmp_path / "a.jsonl.gz")
    [newest] = anchor.read_anchors()[0]
    last = AuditEntry.objects.order_by("-seq").first()
    assert (newest.seq, newest.hash, last.action) == (last.seq, last.entry_hash, "audit.archive")
    assert run_verify() == (0, "")


# --- PostgreSQL: a runtime role that does not own the audit table -------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers: PostgreSQL")
def test_a_runtime_role_that_does_not_own_the_table_cannot_cut_the_log(world):
    """docs/deploy.md "Two roles": the tables belong to the owner role (migrate runs as it), the
    app runs as a role with table privileges only. It writes entries, and can neither disable
    the triggers nor delete."""
    record("unit.create", actor=world.users["hunan"], obj=world.changde)
    suffix = uuid.uuid4().hex[:8]
    owner, runtime = f"qnwmh_owner_{suffix}", f"qnwmh_runtime_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
        cursor.execute(f"CREATE ROLE {runtime} NOLOGIN")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in ("audit_auditentry", "audit_archivecheckpoint"):
            cursor.execute(f"ALTER TABLE {table} OWNER TO {owner}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {runtime}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {runtime}")
        cursor.execute(f"SET ROLE {runtime}")
        try:
            record("unit.rename", actor=world.users["hunan"], obj=world.changde)
            for statement in (
                "ALTER TABLE audit_auditentry DISABLE TRIGGER USER",
                "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
                "DROP TRIGGER qnwmh_guard_delete ON audit_auditentry",
                "DELETE FROM audit_auditentry WHERE seq = 2",
                "TRUNCATE audit_auditentry",
            ):
                with (
                    pytest.raises(DatabaseError, match=r"must be owner|refused|permission denied"),
                    transaction.atomic(),
                ):
                    cursor.execute(statement)
        finally:
            cursor.execute("RESET ROLE")
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]


def test_celery_beat_anchors_hourly():
    from qnwmh.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["anchor-audit"]
    assert (entry["task"], entry["schedule"]) == ("qnwmh.audit.tasks.anchor_audit", 3600)
