"""Walking the audit chain (审计日志完整性校验): recompute every entry's hash, check it links to
the entry before and that no sequence number is missing, and name the first entry where that
fails. Streams the entries, so memory stays constant whatever the size of the log."""

from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from qnwmh.audit import hashing
from qnwmh.audit.models import ArchiveCheckpoint, AuditEntry
from qnwmh.audit.snapshot import read_snapshot

CHUNK_SIZE = 2000
ROW_FIELDS = ("id", *hashing.CONTENT_FIELDS, "entry_hash")


class Reason:
    CONTENT = "content"  # the entry's content no longer matches its hash
    LINK = "link"  # the entry's prev_hash is not the hash of the entry before
    MISSING = "missing"  # sequence numbers are missing before the entry
    ORDER = "order"  # a sequence number repeats or goes backwards
    CHECKPOINT = "checkpoint"  # the archive checkpoints do not link up


@dataclass(frozen=True)
class Break:
    reason: str
    message: str
    entry_id: int | None = None
    seq: int | None = None
    missing_from: int | None = None
    missing_to: int | None = None


@dataclass(frozen=True)
class Result:
    count: int
    last_seq: int
    last_hash: str
    broken: Break | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def walk(rows: Iterable[Mapping[str, Any]], start_seq: int = 0, start_hash: str = "") -> Result:
    """Check entries given in chain order, starting after (start_seq, start_hash)."""
    count, seq, last_hash = 0, start_seq, start_hash
    for row in rows:
        broken = check_entry(row, seq, last_hash)
        if broken:
            return Result(count, seq, last_hash, broken)
        count, seq, last_hash = count + 1, row["seq"], row["entry_hash"]
    return Result(count, seq, last_hash)


def check_entry(row: Mapping[str, Any], prev_seq: int, prev_hash: str) -> Break | None:
    entry_id, seq = row["id"], row["seq"]
    where = {"id": entry_id, "seq": seq}
    if hashing.entry_hash(row) != row["entry_hash"]:
        message = _(
            "Entry #%(id)s (sequence %(seq)s) was changed: its content no longer matches its hash."
        )
        return Break(Reason.CONTENT, message % where, entry_id, seq)
    if seq > prev_seq + 1:
        message = _(
            "Entries are missing before entry #%(id)s (sequence %(seq)s): sequence %(first)s to "
            "%(last)s."
        )
        gap = {**where, "first": prev_seq + 1, "last": seq - 1}
        return Break(Reason.MISSING, message % gap, entry_id, seq, prev_seq + 1, seq - 1)
    if seq <= prev_seq:
        message = _(
            "Entry #%(id)s has sequence %(seq)s where %(expected)s was expected: entries were "
            "reordered or duplicated."
        )
        return Break(Reason.ORDER, message % {**where, "expected": prev_seq + 1}, entry_id, seq)
    if row["prev_hash"] != prev_hash:
        message = _(
            "The link before entry #%(id)s (sequence %(seq)s) is broken: it does not carry the "
            "hash of the entry before it, which was rewritten or replaced."
        )
        return Break(Reason.LINK, message % where, entry_id, seq)
    return None


def check_checkpoints(checkpoints: list[ArchiveCheckpoint], using: str) -> Break | None:
    """Each archive continues the one before; the newest is recorded in the log."""
    seq, last_hash = 0, hashing.GENESIS
    for checkpoint in checkpoints:
        if checkpoint.first_seq != seq + 1 or checkpoint.first_prev_hash != last_hash:
            message = _(
                "The archive of sequence %(first)s to %(last)s does not continue the archive "
                "before it."
            )
            span = {"first": checkpoint.first_seq, "last": checkpoint.last_seq}
            return Break(Reason.CHECKPOINT, message % span, seq=checkpoint.first_seq)
        seq, last_hash = checkpoint.last_seq, checkpoint.last_hash
    if checkpoints and not _archive_recorded(checkpoints[-1], using):
        message = _(
            "The archive of sequence %(first)s to %(last)s has no audit.archive entry in the log."
        )
        span = {"first": checkpoints[-1].first_seq, "last": checkpoints[-1].last_seq}
        return Break(Reason.CHECKPOINT, message % span, seq=checkpoints[-1].last_seq)
    return None


def _archive_recorded(checkpoint: ArchiveCheckpoint, using: str) -> bool:
    return (
        AuditEntry.objects.using(using)
        .filter(action="audit.archive", object_id=str(checkpoint.pk))
        .filter(changes__sha256=checkpoint.file_sha256)
        .exists()
    )


def entry_rows(using: str = "default"):
    """The entries in chain order, streamed. Close it when stopping early (contextlib.closing):
    on PostgreSQL that closes the server-side cursor at once, not whenever it is collected."""
    return (
        AuditEntry.objects.using(using)
        .order_by("id")
        .values(*ROW_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def verify_chain(using: str = "default") -> Result:
    """The whole log as stored: checkpoints first, then every entry from the oldest remaining."""
    with read_snapshot(using):
        checkpoints = list(ArchiveCheckpoint.objects.using(using).order_by("last_seq"))
        broken = check_checkpoints(checkpoints, using)
        if broken:
            return Result(0, 0, "", broken)
        start = (checkpoints[-1].last_seq, checkpoints[-1].last_hash) if checkpoints else (0, "")
        with closing(entry_rows(using)) as rows:
            return walk(rows, *start)
