"""Writing a backup archive (数据备份): one zip file holding the rows of every model as Django
JSON Lines, every file under MEDIA_ROOT and a manifest, read from one consistent snapshot of the
database and streamed, so memory stays flat whatever the size of the data."""

import datetime
import hashlib
import io
import os
import zipfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.files.storage import FileSystemStorage, storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from qnwmh.audit.snapshot import read_snapshot
from qnwmh.audit.verify import verify_chain
from qnwmh.backup import manifest as mf
from qnwmh.backup.tables import backed_up_models, label

CHUNK_SIZE = 2000


class PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a restore must give back every microsecond
    (the audit chain hashes them)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class _Digesting(io.RawIOBase):
    """Pass bytes on to a zip member, keeping their SHA-256 and size."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)

    def summary(self) -> dict:
        return {"sha256": self.digest.hexdigest(), "size": self.size}


def _counted(rows, counter: dict):
    for row in rows:
        counter["rows"] += 1
        yield row


def _serialized_fields(model) -> list[str]:
    # Many-to-many tables are backed up as models of their own (tables.backed_up_models).
    return [field.name for field in model._meta.local_concrete_fields if not field.primary_key]


def _dump_model(archive: zipfile.ZipFile, model, using: str, now) -> tuple[dict, dict]:
    member = f"{mf.DB_PREFIX}{label(model)}.jsonl"
    counter = {"rows": 0}
    rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=CHUNK_SIZE)
    info = zipfile.ZipInfo(member, date_time=now.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as raw:
        digesting = _Digesting(raw)
        with io.TextIOWrapper(io.BufferedWriter(digesting), encoding="utf-8") as text:
            serializers.serialize(
                "jsonl",
                _counted(rows, counter),
                stream=text,
                cls=PreciseEncoder,
                fields=_serialized_fields(model),
            )
    entry = {"label": label(model), "member": member, "rows": counter["rows"]}
    return entry, {member: digesting.summary()}


def local_media_root() -> Path | None:
    """MEDIA_ROOT when the uploaded files live there; None when they live in an object store
    (MEDIA_STORAGE=s3), whose own versioning and replication are the files' backup."""
    if not isinstance(storages["default"], FileSystemStorage):
        return None
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path | None):
    """Every regular file under MEDIA_ROOT, in a stable order (symbolic links are skipped)."""
    if root is None or not root.is_dir():
        return
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _dump_media(archive: zipfile.ZipFile, root: Path) -> dict:
    members = {}
    for path in media_files(root):
        member = mf.MEDIA_PREFIX + path.relative_to(root).as_posix()
        info = zipfile.ZipInfo.from_file(path, member, strict_timestamps=False)
        info.compress_type = zipfile.ZIP_DEFLATED
        with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as raw:
            digesting = _Digesting(raw)
            for block in iter(lambda s=source: s.read(mf.BLOCK), b""):
                digesting.write(block)
        members[member] = digesting.summary()
    return members


def applied_migrations(using: str) -> dict[str, list[str]]:
    applied = defaultdict(list)
    for app_label, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied[app_label].append(name)
    return dict(applied)


def write_backup(path: Path, using: str = "default") -> dict:
    """Write the archive to `path` and return its manifest. Readable by its owner only: it holds
    password hashes and personal data."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            manifest = _write_archive(stream, using)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _break_record(broken) -> dict | None:
    if broken is None:
        return None
    return {"reason": broken.reason, "seq": broken.seq, "message": broken.message}


def _write_archive(stream, using: str) -> dict:
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        models, members = [], {}
        with read_snapshot(using):
            created_at = timezone.now()
            migrations = applied_migrations(using)
            for model in backed_up_models():
                entry, member = _dump_model(archive, model, using, timezone.localtime(created_at))
                models.append(entry)
                members.update(member)
            chain = verify_chain(using)
        media_root = local_media_root()
        members.update(_dump_media(archive, media_root) if media_root else {})
        manifest = {
            "format": mf.FORMAT,
            "version": mf.VERSION,
            "created_at": created_at.isoformat(),
            "database": connections[using].vendor,
            "migrations": migrations,
            "models": models,
            "media_files": sum(1 for name in members if name.startswith(mf.MEDIA_PREFIX)),
            "media_storage": "MEDIA_ROOT" if media_root else "external",
            "audit_chain": {
                "intact": chain.intact,
                "entries": chain.count,
                "last_seq": chain.last_seq,
                "last_hash": chain.last_hash,
                # The break as found when the backup was made: `restore --accept-broken-chain`
                # restores such a backup only when it finds the very same break.
                "break": _break_record(chain.broken),
            },
            "members": members,
        }
        archive.writestr(mf.MANIFEST, mf.dumps(manifest))
    return manifest
