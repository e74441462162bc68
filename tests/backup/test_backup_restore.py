"""`manage.py backup PATH` and `manage.py restore PATH [--force]` (qnwmh/backup/)."""

import hashlib
import io
import json
import shutil
import threading
import zipfile

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from qnwmh.audit.models import ArchiveCheckpoint, AuditEntry
from qnwmh.audit.verify import verify_chain
from qnwmh.backup import dump
from qnwmh.backup.domain import create_backup
from qnwmh.units.models import Unit
from tests.audit.factories import tamper
from tests.backup.factories import REPORT, media, populate, snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def populated(world, media_root, tmp_path):
    populate(world, tmp_path)
    return world


def backup(path) -> str:
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def restore(path, *flags) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *flags, stdout=out)
    return out.getvalue()


def empty_the_system(media_root) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root)


def rewrite(path, *, manifest=None, members=None, drop=()) -> None:
    """Write the archive again with some members or the manifest changed."""
    with zipfile.ZipFile(path) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
    for name in drop:
        contents.pop(name)
    contents.update(members or {})
    if manifest is not None:
        contents["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in contents.items():
            target.writestr(name, data)


def read_manifest(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def test_restore_into_an_empty_system_finds_every_row_and_file(populated, media_root, tmp_path):
    before, files = snapshot(), media(media_root)
    assert all(before[name] for name in ("units.unit", "audit.archivecheckpoint", "jobs.job"))
    assert list(files.values()) == [REPORT]
    backup(tmp_path / "b.zip")
    empty_the_system(media_root)
    assert (Unit.objects.count(), AuditEntry.objects.count()) == (0, 0)

    output = restore(tmp_path / "b.zip")

    after = snapshot()
    restored_entry = after["audit.auditentry"].pop()
    assert after == before
    assert media(media_root) == files
    assert (restored_entry["action"], restored_entry["seq"]) == (
        "backup.restore",
        before["audit.auditentry"][-1]["seq"] + 1,
    )
    assert (verify_chain().intact, verify_chain().count) == (
        True,
        len(before["audit.auditentry"]) + 1,
    )
    rows = sum(len(table) for table in before.values())
    assert output.startswith(f"已从 {read_manifest(tmp_path / 'b.zip')['created_at']} 的备份恢复 ")
    assert f"共 {rows} 行、1 个文件；审计日志校验完整。" in output


def test_restored_system_keeps_working(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    highest = Unit.objects.order_by("-pk").first().pk
    empty_the_system(media_root)
    restore(tmp_path / "b.zip")
    unit = Unit.objects.create(
        name="新单位", line="REGION", tier=3, parent=populated.changde, path="x"
    )
    assert unit.pk > highest
    entry = AuditEntry.objects.create(action="after.restore")
    assert entry.prev_hash == AuditEntry.objects.get(action="backup.restore").entry_hash


def test_backup_manifest_lists_rows_files_and_hashes(populated, media_root, tmp_path):
    output = backup(tmp_path / "b.zip")
    manifest = read_manifest(tmp_path / "b.zip")
    counts = {entry["label"]: entry["rows"] for entry in manifest["models"]}
    assert counts == {
        name: len(rows) for name, rows in snapshot().items() if name != "audit.auditentry"
    } | {
        "audit.auditentry": AuditEntry.objects.count() - 1  # the backup's own entry came after
    }
    assert (manifest["format"], manifest["version"], manifest["media_files"]) == (
        "qnwmh-backup",
        1,
        1,
    )
    assert manifest["migrations"]["audit"][-1] == "0005_append_only_triggers"
    assert manifest["audit_chain"]["intact"] is True
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        names = sorted(info.filename for info in archive.infolist())
        digests = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in names}
    assert names == sorted([*manifest["members"], "manifest.json"])
    assert all(digests[name] == item["sha256"] for name, item in manifest["members"].items())
    assert output.startswith(f"备份已写入 {tmp_path / 'b.zip'}：")


def test_backup_is_recorded_and_private(populated, media_root, tmp_path):
    result = create_backup(tmp_path / "b.zip")
    entry = AuditEntry.objects.get(action="backup.create")
    assert entry.changes["file"] == [None, "b.zip"]
    assert entry.changes["sha256"] == [None, result["file_sha256"]]
    assert entry.scope_path == populated.national.path
    assert oct((tmp_path / "b.zip").stat().st_mode & 0o777) == "0o600"


def test_backup_refuses_to_overwrite_a_file(populated, tmp_path):
    (tmp_path / "b.zip").write_bytes(b"older backup")
    with pytest.raises(CommandError) as caught:
        backup(tmp_path / "b.zip")
    assert str(caught.value) == f"{tmp_path / 'b.zip'} 已存在。"
    assert (tmp_path / "b.zip").read_bytes() == b"older backup"


def test_restore_refuses_a_system_with_data(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    Unit.objects.filter(pk=populated.wuling.pk).update(name="改过的名字")
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value).startswith("本系统已有数据（audit.archivecheckpoint、units.unit、")
    assert str(caught.value).endswith(
        "MEDIA_ROOT），恢复将覆盖这些数据；如确需覆盖，请加 --force 参数。"
    )
    assert snapshot() == before


def test_restore_refuses_files_left_in_media_root(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert "（MEDIA_ROOT）" in str(caught.value)
    assert Unit.objects.count() == 0


def test_restore_with_force_replaces_the_data(populated, media_root, tmp_path):
    before, files = snapshot(), media(media_root)
    backup(tmp_path / "b.zip")
    Unit.objects.filter(pk=populated.wuling.pk).update(name="改过的名字")
    Unit.objects.create(
        name="后加的单位", line="REGION", tier=3, parent=populated.changde, path="9"
    )
    (media_root / "later.txt").write_text("later")
    Session.objects.create(session_key="k" * 32, session_data="x", expire_date=timezone.now())

    restore(tmp_path / "b.zip", "--force")

    after = snapshot()
    assert after["audit.auditentry"].pop()["action"] == "backup.restore"
    assert (after, media(media_root), Session.objects.count()) == (before, files, 0)


def test_restore_refuses_a_tampered_member(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    empty_the_system(media_root)
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        units = archive.read("db/units.unit.jsonl").replace(
            "湖南省团委".encode(), "湖北省团委".encode()
        )
    rewrite(tmp_path / "b.zip", members={"db/units.unit.jsonl": units})
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value) == "备份文件已损坏或被篡改：db/units.unit.jsonl 的校验值不符"
    assert (Unit.objects.count(), media_root.exists()) == (0, False)


def test_restore_refuses_a_tampered_media_file(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    name = next(n for n in read_manifest(tmp_path / "b.zip")["members"] if n.startswith("media/"))
    rewrite(tmp_path / "b.zip", members={name: b"changed"})
    empty_the_system(media_root)
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value) == f"备份文件已损坏或被篡改：{name} 的校验值不符"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drop": ["db/units.unit.jsonl"]}, "其中的文件 db/units.unit.jsonl 缺失"),
        ({"members": {"db/extra.jsonl": b"{}"}}, "其中的文件 db/extra.jsonl 未列入清单"),
        ({"drop": ["manifest.json"]}, "缺少清单文件"),
        ({"members": {"manifest.json": b"{not json"}}, "清单文件无法读取"),
        ({"manifest": {"format": "other"}}, "不是本系统的备份文件"),
        ({"manifest": {"format": "qnwmh-backup", "version": 1, "members": 5}}, "清单文件无法读取"),
    ],
)
def test_restore_refuses_an_incomplete_archive(populated, media_root, tmp_path, change, message):
    backup(tmp_path / "b.zip")
    rewrite(tmp_path / "b.zip", **change)
    empty_the_system(media_root)
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value) == f"备份文件已损坏或被篡改：{message}"
    assert Unit.objects.count() == 0


@pytest.mark.parametrize("content", [b"", b"not a zip at all", None])
def test_restore_refuses_a_file_that_is_not_a_backup(world, media_root, tmp_path, content):
    path = tmp_path / "b.zip"
    if content is None:  # a real backup cut in half
        create_backup(path)
        content = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        restore(path)
    assert str(caught.value) == "备份文件已损坏或被篡改：不是可读取的 zip 备份文件"


def test_restore_refuses_a_member_escaping_media_root(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    manifest = read_manifest(tmp_path / "b.zip")
    evil = b"#!/bin/sh\n"
    name = "media/../../evil.sh"
    manifest["members"][name] = {"sha256": hashlib.sha256(evil).hexdigest(), "size": len(evil)}
    rewrite(tmp_path / "b.zip", manifest=manifest, members={name: evil})
    empty_the_system(media_root)
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value) == f"备份文件已损坏或被篡改：其中的文件 {name} 名称不安全"
    assert not (tmp_path / "evil.sh").exists()


def test_restore_refuses_another_format_version(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    rewrite(tmp_path / "b.zip", manifest=read_manifest(tmp_path / "b.zip") | {"version": 2})
    empty_the_system(media_root)
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value) == "该备份的格式版本为 2，本系统只能读取版本 1。"


def test_restore_refuses_a_backup_of_another_version(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    manifest = read_manifest(tmp_path / "b.zip")
    manifest["migrations"]["audit"].append("0099_future")
    rewrite(tmp_path / "b.zip", manifest=manifest)
    empty_the_system(media_root)
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value) == (
        "该备份由其他版本的系统生成（数据库迁移不一致："
        "仅备份中有 audit.0099_future；仅本系统有 —）。请用生成备份时的版本恢复，再升级。"
    )


def test_restore_with_a_broken_audit_chain_changes_nothing(populated, media_root, tmp_path):
    tamper("UPDATE {table} SET action = 'x' WHERE action = 'collective.update'")
    err = io.StringIO()
    call_command("backup", str(tmp_path / "b.zip"), stdout=io.StringIO(), stderr=err)
    assert (
        err.getvalue().strip()
        == "警告：备份时审计日志未通过完整性校验（请运行 verify_audit 查看）。"
    )
    empty_the_system(media_root)
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value).startswith("恢复后的审计日志未通过完整性校验：第 ")
    assert (Unit.objects.count(), AuditEntry.objects.count(), media(media_root)) == (0, 0, {})
    assert [p.name for p in tmp_path.iterdir() if "restore" in p.name] == []


def test_restore_migrates_an_unmigrated_database_first(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    empty_the_system(media_root)
    call_command("migrate", "audit", "0004", verbosity=0)
    restore(tmp_path / "b.zip")
    assert ArchiveCheckpoint.objects.count() == 1
    assert ("audit", "0005_append_only_triggers") in MigrationRecorder(
        connection
    ).applied_migrations()


@pytest.mark.postgres
def test_backup_reads_one_snapshot(populated, media_root, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a concurrent writer on another connection")
    original, added = dump._dump_model, []

    def dump_then_write_elsewhere(archive, model, using, now):
        result = original(archive, model, using, now)
        if not added:  # while the backup runs, another server adds a unit and its audit entry
            thread = threading.Thread(target=add_unit)
            thread.start()
            thread.join(timeout=30)
        return result

    def add_unit():
        try:
            added.append(Unit.objects.create(name="并发单位", line="REGION", tier=3, path="77"))
            AuditEntry.objects.create(action="concurrent")
        finally:
            connection.close()

    monkeypatch.setattr(dump, "_dump_model", dump_then_write_elsewhere)
    manifest = create_backup(tmp_path / "b.zip")
    counts = {entry["label"]: entry["rows"] for entry in manifest["models"]}
    assert counts["units.unit"] == Unit.objects.count() - 1
    assert manifest["audit_chain"]["intact"] is True
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert "并发单位" not in archive.read("db/units.unit.jsonl").decode()


@pytest.fixture
def object_store(settings):
    """Uploaded files in an object store instead of MEDIA_ROOT (as with MEDIA_STORAGE=s3)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_backup_leaves_files_in_an_object_store_to_the_store(
    world, media_root, tmp_path, object_store
):
    (media_root / "stray.txt").write_text("not the uploads")
    manifest = create_backup(tmp_path / "b.zip")
    assert (manifest["media_files"], manifest["media_storage"]) == (0, "external")


def test_restore_of_files_into_an_object_store_is_refused(
    populated, media_root, tmp_path, settings
):
    backup(tmp_path / "b.zip")
    empty_the_system(media_root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value) == (
        "备份中包含上传文件，但本系统的文件存放在对象存储（MEDIA_STORAGE）中：请用对象存储自身的工具复制。"
    )
    assert Unit.objects.count() == 0


# --- A backup made from a broken chain stays restorable (issue 12 #4) ----------------------------


def _broken_backup(tmp_path) -> None:
    tamper("UPDATE {table} SET action = 'x' WHERE action = 'collective.update'")
    call_command("backup", str(tmp_path / "b.zip"), stdout=io.StringIO(), stderr=io.StringIO())


def test_a_broken_backup_records_its_break(populated, media_root, tmp_path):
    _broken_backup(tmp_path)
    chain = read_manifest(tmp_path / "b.zip")["audit_chain"]
    broken = verify_chain().broken
    assert chain["intact"] is False
    assert chain["break"] == {"reason": "content", "seq": broken.seq, "message": broken.message}


def test_restore_refuses_a_broken_backup_and_names_the_flag(populated, media_root, tmp_path):
    _broken_backup(tmp_path)
    empty_the_system(media_root)
    with pytest.raises(CommandError) as caught:
        restore(tmp_path / "b.zip")
    assert str(caught.value).endswith(
        "备份生成时已记录了这一破损：如需恢复并保留该破损记录，请加 --accept-broken-chain。"
    )
    assert (Unit.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_accept_broken_chain_restores_it_and_reports_the_break_again(
    populated, media_root, tmp_path
):
    _broken_backup(tmp_path)
    before = snapshot()
    problem = verify_chain().broken.message
    empty_the_system(media_root)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "restore", str(tmp_path / "b.zip"), "--accept-broken-chain", stdout=out, stderr=err
    )
    assert "审计日志保持备份时的破损状态" in out.getvalue()
    assert (
        err.getvalue().strip() == f"警告：恢复后的审计日志与备份时一样未通过完整性校验：{problem}"
    )
    after = snapshot()
    assert after["units.unit"] == before["units.unit"]
    assert verify_chain().broken.message == problem  # verify_audit keeps reporting it
    entry = AuditEntry.objects.get(action="backup.restore")
    assert entry.changes["audit_break"] == [None, problem]


def test_accept_broken_chain_refuses_another_break(populated, media_root, tmp_path):
    _broken_backup(tmp_path)
    path = tmp_path / "b.zip"
    manifest = read_manifest(path)
    manifest["audit_chain"]["break"]["seq"] = 1  # the backup claims another break
    rewrite(path, manifest=manifest)
    empty_the_system(media_root)
    with pytest.raises(CommandError) as caught:
        restore(path, "--accept-broken-chain")
    assert str(caught.value).endswith("这与备份生成时记录的破损不一致。")
    assert Unit.objects.count() == 0


def test_accept_broken_chain_changes_nothing_for_an_intact_backup(populated, media_root, tmp_path):
    backup(tmp_path / "b.zip")
    empty_the_system(media_root)
    assert "审计日志校验完整" in restore(tmp_path / "b.zip", "--accept-broken-chain")


def test_a_restore_does_not_carry_a_running_job(populated, media_root, tmp_path):
    from qnwmh.jobs.enums import JobStatus
    from qnwmh.jobs.models import Job

    Job.objects.update(status=JobStatus.RUNNING)
    backup(tmp_path / "b.zip")
    empty_the_system(media_root)
    restore(tmp_path / "b.zip")
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.FAILED}
    assert Job.objects.first().error.startswith("系统从备份恢复时此任务尚未完成")
