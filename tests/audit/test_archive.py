"""Archiving old audit entries: `manage.py archive_audit` (qnwmh/audit/archive.py)."""

import datetime
import gzip
import hashlib
import json
from contextlib import closing

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qnwmh.audit import archive as audit_archive
from qnwmh.audit import hashing
from qnwmh.audit.models import ArchiveCheckpoint, AuditEntry
from qnwmh.audit.verify import Reason, entry_rows, verify_chain, walk
from qnwmh.core.errors import Conflict, InvalidInput
from tests.audit.factories import entries, entry, tamper

pytestmark = pytest.mark.django_db

OLD, YOUNG = 400, 10  # days ago


def today() -> datetime.date:
    return timezone.localdate()


def days_back(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def archive(tmp_path, before: datetime.date, name="audit.jsonl.gz"):
    out = tmp_path / name
    return audit_archive.archive_entries(before, out), out


def read_lines(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.mark.parametrize("days", [0, 1, 100, 182])
def test_archive_refuses_a_date_within_the_retention_period(tmp_path, days):
    entries(2, days_ago=OLD)
    with pytest.raises(CommandError) as caught:
        call_command(
            "archive_audit", "--before", days_back(days).isoformat(), "--out", tmp_path / "a.gz"
        )
    assert str(caught.value) == (
        f"不足 183 天的审计记录必须保留：日期不得晚于 {days_back(183).isoformat()}。"
    )
    assert (AuditEntry.objects.count(), list(tmp_path.iterdir())) == (2, [])


def test_archive_accepts_the_last_allowed_date(tmp_path):
    entries(2, days_ago=OLD)
    checkpoint, _ = archive(tmp_path, days_back(183))
    assert checkpoint.entry_count == 2


def test_archive_follows_a_longer_configured_retention(tmp_path, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    entries(1, days_ago=OLD)
    with pytest.raises(InvalidInput):
        archive(tmp_path, days_back(364))
    assert archive(tmp_path, days_back(365))[0].entry_count == 1


def test_archive_never_goes_below_six_months(tmp_path, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    entries(1, days_ago=OLD)
    with pytest.raises(InvalidInput):
        archive(tmp_path, days_back(100))


def test_archive_with_a_bad_date_is_refused(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("archive_audit", "--before", "2025-02-30", "--out", tmp_path / "a.gz")
    assert str(caught.value) == "2025-02-30 不是有效日期（格式为 YYYY-MM-DD）。"


def test_archive_with_nothing_to_archive_writes_nothing(tmp_path):
    entries(2, days_ago=YOUNG)
    with pytest.raises(InvalidInput) as caught:
        archive(tmp_path, days_back(200))
    assert caught.value.message == "该日期之前没有可归档的审计记录。"
    assert list(tmp_path.iterdir()) == []


def test_archive_refuses_to_overwrite_a_file(tmp_path):
    entries(1, days_ago=OLD)
    (tmp_path / "audit.jsonl.gz").write_bytes(b"keep me")
    with pytest.raises(InvalidInput):
        archive(tmp_path, days_back(200))
    assert (tmp_path / "audit.jsonl.gz").read_bytes() == b"keep me"


def test_archive_file_holds_the_old_entries_and_a_manifest(tmp_path):
    old = entries(3, days_ago=OLD)
    young = entries(2, days_ago=YOUNG)
    checkpoint, out = archive(tmp_path, days_back(200))

    lines = read_lines(out)
    assert [(line["id"], line["seq"], line["action"]) for line in lines] == [
        (e.pk, e.seq, e.action) for e in old
    ]
    assert [line["entry_hash"] for line in lines] == [e.entry_hash for e in old]
    assert lines[0]["prev_hash"] == hashing.GENESIS

    manifest = json.loads((tmp_path / "audit.jsonl.gz.manifest.json").read_text())
    assert {key: manifest[key] for key in ("count", "first_id", "last_id", "first_seq")} == {
        "count": 3,
        "first_id": old[0].pk,
        "last_id": old[-1].pk,
        "first_seq": 1,
    }
    assert (manifest["last_seq"], manifest["first_prev_hash"], manifest["last_hash"]) == (
        3,
        hashing.GENESIS,
        old[-1].entry_hash,
    )
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["before"] == days_back(200).isoformat()

    assert list(AuditEntry.objects.order_by("seq").values_list("pk", flat=True)) == [
        *(e.pk for e in young),
        AuditEntry.objects.get(action="audit.archive").pk,
    ]
    assert (checkpoint.first_seq, checkpoint.last_seq, checkpoint.last_hash) == (
        1,
        3,
        old[-1].entry_hash,
    )
    assert checkpoint.file_sha256 == manifest["sha256"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_archive_is_recorded_in_the_log(tmp_path):
    entries(3, days_ago=OLD)
    checkpoint, _ = archive(tmp_path, days_back(200))
    recorded = AuditEntry.objects.get(action="audit.archive")
    assert (recorded.object_type, recorded.object_id) == (
        "audit.archivecheckpoint",
        str(checkpoint.pk),
    )
    assert {key: recorded.changes[key] for key in ("count", "first_seq", "last_seq", "sha256")} == {
        "count": 3,
        "first_seq": 1,
        "last_seq": 3,
        "sha256": checkpoint.file_sha256,
    }
    assert recorded.seq == 4


def test_verify_after_archiving_starts_from_the_checkpoint(tmp_path):
    entries(3, days_ago=OLD)
    young = entries(2, days_ago=YOUNG)
    archive(tmp_path, days_back(200))
    result = verify_chain()
    assert (result.intact, result.count, result.last_seq) == (True, 3, 6)
    assert young[0].prev_hash == ArchiveCheckpoint.objects.get().last_hash


def test_archiving_everything_keeps_the_chain(tmp_path):
    old = entries(2, days_ago=OLD)
    checkpoint, _ = archive(tmp_path, days_back(200))
    recorded = AuditEntry.objects.get()
    assert (recorded.action, recorded.seq, recorded.prev_hash) == (
        "audit.archive",
        3,
        old[-1].entry_hash,
    )
    assert checkpoint.last_seq == 2
    assert (verify_chain().intact, verify_chain().count) == (True, 1)


def test_second_archive_continues_the_first(tmp_path):
    entries(2, days_ago=OLD)
    entries(2, days_ago=300)
    entries(1, days_ago=YOUNG)
    first, _ = archive(tmp_path, days_back(350), "first.gz")
    second, _ = archive(tmp_path, days_back(200), "second.gz")
    assert (first.first_seq, first.last_seq, second.first_seq, second.last_seq) == (1, 2, 3, 4)
    assert second.first_prev_hash == first.last_hash
    assert verify_chain().intact


def test_archive_takes_a_prefix_of_the_chain_when_clocks_disagree(tmp_path):
    entries(2, days_ago=OLD)
    entry("young-clock", days_ago=YOUNG)
    entry("old-clock", days_ago=OLD)  # written later by a server whose clock was behind
    checkpoint, _ = archive(tmp_path, days_back(200))
    assert (checkpoint.entry_count, checkpoint.last_seq) == (2, 2)
    assert AuditEntry.objects.filter(action="old-clock").exists()
    assert verify_chain().intact


def test_archive_refuses_a_broken_chain(tmp_path):
    old = entries(3, days_ago=OLD)
    tamper("UPDATE {table} SET action = 'x' WHERE id = %s", [old[1].pk])
    with pytest.raises(Conflict) as caught:
        archive(tmp_path, days_back(200))
    assert caught.value.message == (
        f"未归档：第 {old[1].pk} 条审计记录（序号 2）已被改动：内容与其哈希值不符。"
    )
    assert (AuditEntry.objects.count(), ArchiveCheckpoint.objects.count()) == (3, 0)
    assert list(tmp_path.iterdir()) == []


def test_archive_file_verifies_on_its_own(tmp_path):
    entries(3, days_ago=OLD)
    archive(tmp_path, days_back(200))
    result = audit_archive.verify_archive(tmp_path / "audit.jsonl.gz")
    assert (result.intact, result.count, result.last_seq) == (True, 3, 3)


def test_verify_audit_checks_an_archive_file(tmp_path, capsys):
    entries(2, days_ago=OLD)
    archive(tmp_path, days_back(200))
    call_command("verify_audit", "--archive", str(tmp_path / "audit.jsonl.gz"))
    assert capsys.readouterr().out.splitlines()[0] == "审计日志完整：2 条"


def _rewrite_archive(path, change):
    lines = read_lines(path)
    change(lines)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def test_altered_archive_file_fails_its_checksum(tmp_path):
    entries(3, days_ago=OLD)
    archive(tmp_path, days_back(200))
    _rewrite_archive(tmp_path / "audit.jsonl.gz", lambda lines: lines[1].update(action="x"))
    with pytest.raises(InvalidInput) as caught:
        audit_archive.verify_archive(tmp_path / "audit.jsonl.gz")
    assert caught.value.message == "归档文件与其清单不符（SHA-256 校验值不同）。"


def test_altered_archive_with_a_matching_manifest_shows_the_entry(tmp_path):
    old = entries(3, days_ago=OLD)
    archive(tmp_path, days_back(200))
    path = tmp_path / "audit.jsonl.gz"
    _rewrite_archive(path, lambda lines: lines[1].update(action="x"))
    manifest_path = tmp_path / "audit.jsonl.gz.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))
    broken = audit_archive.verify_archive(path).broken
    assert (broken.reason, broken.entry_id) == (Reason.CONTENT, old[1].pk)


def test_entries_removed_without_archiving_are_reported(tmp_path):
    old = entries(3, days_ago=OLD)
    tamper("DELETE FROM {table} WHERE id = %s", [old[0].pk])
    broken = verify_chain().broken
    assert (broken.reason, broken.entry_id, broken.missing_from) == (Reason.MISSING, old[1].pk, 1)


def test_checkpoint_without_its_archive_entry_is_reported(tmp_path):
    old = entries(3, days_ago=OLD)
    ArchiveCheckpoint.objects.create(
        before=days_back(200),
        entry_count=1,
        first_id=old[0].pk,
        last_id=old[0].pk,
        first_seq=1,
        last_seq=1,
        first_prev_hash=hashing.GENESIS,
        last_hash=old[0].entry_hash,
        file_name="forged.gz",
        file_sha256="0" * 64,
    )
    broken = verify_chain().broken
    assert (broken.reason, broken.message) == (
        Reason.CHECKPOINT,
        "序号 1 至 1 的归档在审计日志中没有对应的 audit.archive 记录。",
    )


def test_entries_before_the_checkpoint_still_present_are_reported():
    rows = entries(3, days_ago=OLD)
    with closing(entry_rows()) as stored:
        result = walk(stored, 2, rows[1].entry_hash)  # as if 1 and 2 had been archived
    assert (result.broken.reason, result.broken.entry_id, result.broken.seq) == (
        Reason.ORDER,
        rows[0].pk,
        1,
    )
