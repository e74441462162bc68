"""Archiving old audit entries (审计日志归档): the only way entries leave the table.

Entries younger than the retention period (AUDIT_RETENTION_DAYS, never less than six months —
网络安全法 第二十一条) stay. Older ones are written to a gzip JSON Lines file with a manifest
beside it, and only then removed, in one transaction that also stores a checkpoint (the chain
hashes at both ends) and appends an "audit.archive" entry: the chain stays verifiable from the
oldest remaining entry, and the archive file can be verified on its own (verify_archive).
"""

import datetime
import gzip
import hashlib
import json
import os
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.audit import anchor, guard, hashing
from qnwmh.audit.domain import record, root_unit
from qnwmh.audit.models import ArchiveCheckpoint, AuditEntry, lock_chain
from qnwmh.audit.snapshot import read_snapshot
from qnwmh.audit.verify import CHUNK_SIZE, ROW_FIELDS, Result, check_entry, walk
from qnwmh.core.errors import Conflict, InvalidInput

MANIFEST_FORMAT = "qnwmh-audit-archive"
MANIFEST_VERSION = 1


def retention_days() -> int:
    return max(settings.AUDIT_RETENTION_DAYS, guard.LEGAL_MINIMUM_DAYS)


def latest_allowed_date(today: datetime.date) -> datetime.date:
    """The latest `before` date archive_audit accepts: today minus the retention period."""
    return today - datetime.timedelta(days=retention_days())


def manifest_path(out: Path) -> Path:
    return out.with_name(out.name + ".manifest.json")


def archive_entries(before: datetime.date, out: Path, *, actor=None, using="default"):
    """Archive every entry written before `before` (00:00, local time) to `out`, then remove
    them. Returns the new ArchiveCheckpoint."""
    _check_request(before, out)
    moment = datetime.datetime.combine(before, datetime.time.min, timezone.get_current_timezone())
    with read_snapshot(using):
        start = _chain_start(using)
        with closing(_rows_before(moment, using)) as rows:
            summary = _write_entries(rows, out, start)
    manifest = _write_manifest(out, before, summary)
    try:
        checkpoint = _remove_archived(manifest, moment, start, actor, using)
    except Exception:
        out.unlink(missing_ok=True)
        manifest_path(out).unlink(missing_ok=True)
        raise
    anchor.write_anchor(using)  # the head after the archive entry, outside the table
    return checkpoint


def _check_request(before: datetime.date, out: Path) -> None:
    latest = latest_allowed_date(timezone.localdate())
    if before > latest:
        raise InvalidInput(
            _(
                "Entries younger than %(days)s days are kept: the date must be %(latest)s or "
                "earlier."
            )
            % {"days": retention_days(), "latest": latest.isoformat()},
            fields={"before": "too_recent"},
        )
    for path in (out, manifest_path(out)):
        if path.exists():
            raise InvalidInput(_("%(path)s already exists.") % {"path": path})
    if not out.parent.is_dir():
        raise InvalidInput(_("The folder %(path)s does not exist.") % {"path": out.parent})


def _chain_start(using: str) -> tuple[int, str]:
    last = ArchiveCheckpoint.objects.using(using).order_by("-last_seq").first()
    return (last.last_seq, last.last_hash) if last else (0, hashing.GENESIS)


def _rows_before(moment: datetime.datetime, using: str):
    """The entries to archive: the longest prefix of the chain written before `moment` (the
    clocks of several app servers may disagree by a little: a prefix keeps the chain whole)."""
    entries = AuditEntry.objects.using(using)
    young = entries.filter(at__gte=moment).order_by("seq").values_list("seq", flat=True).first()
    if young is not None:
        entries = entries.filter(seq__lt=young)
    return entries.order_by("seq").values(*ROW_FIELDS).iterator(chunk_size=CHUNK_SIZE)


def _write_entries(rows, out: Path, start: tuple[int, str]) -> dict:
    """Write the rows as gzip JSON Lines, checking the chain on the way: a broken chain is not
    archived (that would carry the evidence out of the table)."""
    partial = out.with_name(out.name + ".partial")
    summary = {"count": 0, "first_prev_hash": start[1]}
    seq, last_hash = start
    try:
        with _private_file(partial) as raw, gzip.open(raw, "wt", encoding="utf-8") as lines:
            for row in rows:
                broken = check_entry(row, seq, last_hash)
                if broken:
                    raise Conflict(_("Not archived: %(problem)s") % {"problem": broken.message})
                lines.write(json.dumps(_jsonable_row(row), ensure_ascii=False) + "\n")
                if not summary["count"]:
                    summary.update(first_id=row["id"], first_seq=row["seq"])
                summary.update(count=summary["count"] + 1, last_id=row["id"])
                seq, last_hash = row["seq"], row["entry_hash"]
        if not summary["count"]:
            raise InvalidInput(_("There are no entries to archive before this date."))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return {**summary, "last_seq": seq, "last_hash": last_hash}


def _private_file(path: Path):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(descriptor, "wb")


def _jsonable_row(row: dict) -> dict:
    return {**row, "at": row["at"].isoformat()}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_manifest(out: Path, before: datetime.date, summary: dict) -> dict:
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "created_at": timezone.now().isoformat(),
        "before": before.isoformat(),
        **summary,
        "file": out.name,
        "sha256": file_sha256(out),
    }
    with _private_file(manifest_path(out)) as stream:
        stream.write(json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    return manifest


def _remove_archived(manifest: dict, moment, start, actor, using) -> ArchiveCheckpoint:
    with transaction.atomic(using=using):
        lock_chain(using)
        if _chain_start(using) != start:
            raise Conflict(_("Another archive ran at the same time; nothing was removed."))
        with guard.archiving(using, moment):
            removed = _delete_range(manifest["first_seq"], manifest["last_seq"], using)
        if removed != manifest["count"]:
            raise Conflict(_("The entries changed while being archived; nothing was removed."))
        checkpoint = ArchiveCheckpoint.objects.using(using).create(
            before=datetime.date.fromisoformat(manifest["before"]),
            entry_count=manifest["count"],
            first_id=manifest["first_id"],
            last_id=manifest["last_id"],
            first_seq=manifest["first_seq"],
            last_seq=manifest["last_seq"],
            first_prev_hash=manifest["first_prev_hash"],
            last_hash=manifest["last_hash"],
            file_name=manifest["file"],
            file_sha256=manifest["sha256"],
        )
        changes = {key: manifest[key] for key in _RECORDED}
        record(
            "audit.archive", actor=actor, obj=checkpoint, scope_unit=root_unit(), changes=changes
        )
    return checkpoint


_RECORDED = (
    "before",
    "count",
    "first_id",
    "last_id",
    "first_seq",
    "last_seq",
    "first_prev_hash",
    "last_hash",
    "file",
    "sha256",
)


def _delete_range(first_seq: int, last_seq: int, using: str) -> int:
    """Raw SQL on purpose: the ORM refuses to delete audit entries (models.AppendOnlyError)."""
    connection = connections[using]
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE seq >= %s AND seq <= %s",  # noqa: S608 (quoted name)
            [first_seq, last_seq],
        )
        return cursor.rowcount


def verify_archive(path: Path) -> Result:
    """Check an archive file on its own: its SHA-256 against the manifest, the chain inside it,
    and that it ends where the manifest says."""
    manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    if file_sha256(path) != manifest["sha256"]:
        raise InvalidInput(_("The archive file does not match its manifest (SHA-256 differs)."))
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        rows = (_parsed_row(line) for line in lines if line.strip())
        result = walk(rows, manifest["first_seq"] - 1, manifest["first_prev_hash"])
    if result.intact and (result.count, result.last_hash) != (
        manifest["count"],
        manifest["last_hash"],
    ):
        raise InvalidInput(_("The archive file holds fewer entries than its manifest says."))
    return result


def _parsed_row(line: str) -> dict:
    row = json.loads(line)
    return {**row, "at": datetime.datetime.fromisoformat(row["at"])}
