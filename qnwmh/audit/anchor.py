"""The audit head anchored outside the table (审计日志尾部防截断, issue 12 #3).

The hash chain shows an entry changed, removed from the middle or reordered; it cannot show the
newest entries deleted (by a role able to disable the triggers), because what is left is a
valid, shorter chain. So the head — the newest entry's sequence and hash — is written, signed,
to a store outside the table: one JSON line per anchor appended to AUDIT_ANCHOR_PATH (an
append-only file, `chattr +a`, or a path on another machine) and the same line to the log
(logger `qnwmh.audit.anchor`, for syslog to ship off the host). It is written by every
`archive_audit` and at least hourly (`anchor_audit`, or Celery beat with REDIS_URL).
`verify_audit` then checks the newest valid anchor against the table: an anchored sequence that
is gone, or whose entry now carries another hash, is reported. docs/decisions/009-audit-anchor.md
says why a file and a signature and not a second role's table.

The signature (HMAC-SHA256 with AUDIT_ANCHOR_KEY, or a key derived from SECRET_KEY) stops a
line written by hand to cover a truncation: forging one needs the key as well as the file."""

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.audit.models import ArchiveCheckpoint, AuditEntry, chain_tail
from qnwmh.audit.verify import Break

logger = logging.getLogger("qnwmh.audit.anchor")

TAIL = "tail"  # Break reason: the anchored head is gone or rewritten


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str

    def message(self) -> bytes:
        return f"qnwmh-audit-anchor:1:{self.seq}:{self.hash}:{self.at}".encode()


def _key() -> bytes:
    if settings.AUDIT_ANCHOR_KEY:
        return settings.AUDIT_ANCHOR_KEY.encode()
    return hashlib.sha256(b"qnwmh.audit.anchor:" + settings.SECRET_KEY.encode()).digest()


def sign(anchor: Anchor) -> str:
    return hmac.new(_key(), anchor.message(), hashlib.sha256).hexdigest()


def path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def write_anchor(using: str = "default") -> Anchor:
    """Append the current head of the chain, signed, to the anchor file and the log."""
    seq, last_hash = chain_tail(using)
    anchor = Anchor(seq, last_hash, timezone.now().isoformat())
    line = json.dumps({**anchor.__dict__, "mac": sign(anchor)}) + "\n"
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    logger.info("audit anchor %s", line.strip())
    return anchor


def read_anchors() -> tuple[list[Anchor], int]:
    """The anchors whose signature holds, and how many lines did not (forged or damaged)."""
    try:
        lines = path().read_text().splitlines()
    except FileNotFoundError:
        return [], 0
    anchors, bad = [], 0
    for line in lines:
        try:
            data = json.loads(line)
            anchor = Anchor(int(data["seq"]), str(data["hash"]), str(data["at"]))
        except (ValueError, KeyError, TypeError):
            bad += 1
            continue
        if hmac.compare_digest(sign(anchor), str(data.get("mac", ""))):
            anchors.append(anchor)
        else:
            bad += 1
    return anchors, bad


def check_head(using: str = "default") -> Break | None:
    """The newest valid anchor is still in the chain with its hash (or in an archive checkpoint
    that ends on it); otherwise the tail was cut or rewritten. A line whose signature fails is a
    break too: nobody but this module writes to the file."""
    anchors, bad = read_anchors()
    if bad:
        message = _("%(count)s line(s) of the audit anchor file %(path)s have no valid signature.")
        return Break(TAIL, message % {"count": bad, "path": path()})
    if not anchors:
        return None
    newest = max(anchors, key=lambda a: a.seq)
    if newest.seq == 0:
        return None
    found = _stored_hash(newest.seq, using)
    if found == newest.hash or found is _ARCHIVED:
        return None
    if found is None:
        message = _(
            "The newest audit entries were removed: the anchor of %(at)s recorded sequence "
            "%(seq)s, and the log now ends at sequence %(last)s."
        )
        values = {"at": newest.at, "seq": newest.seq, "last": chain_tail(using)[0]}
        return Break(TAIL, message % values, seq=newest.seq)
    message = _(
        "Audit entry sequence %(seq)s is not the one anchored at %(at)s: the tail of the log was "
        "removed and written anew."
    )
    return Break(TAIL, message % {"seq": newest.seq, "at": newest.at}, seq=newest.seq)


_ARCHIVED = object()


def _stored_hash(seq: int, using: str):
    row = AuditEntry.objects.using(using).filter(seq=seq).values_list("entry_hash").first()
    if row is not None:
        return row[0]
    checkpoint = ArchiveCheckpoint.objects.using(using).filter(last_seq__gte=seq).first()
    if checkpoint is None:
        return None
    # Archived: the checkpoint holds the hash of its last entry; one inside it is the archive
    # file's to vouch for (verify_audit --archive).
    return checkpoint.last_hash if checkpoint.last_seq == seq else _ARCHIVED
