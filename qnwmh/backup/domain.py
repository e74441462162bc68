"""Backup and restore (数据备份与恢复, 等保 2.0 三级 "数据备份恢复"): the two operations the
commands run. Both are recorded in the audit log."""

import getpass
import shutil
import zipfile
from pathlib import Path

from django.db import connections, transaction
from django.utils.translation import gettext as _

from qnwmh.audit import guard
from qnwmh.audit.archive import file_sha256
from qnwmh.audit.domain import record, root_unit
from qnwmh.audit.verify import verify_chain
from qnwmh.backup import load
from qnwmh.backup import manifest as mf
from qnwmh.backup.dump import write_backup
from qnwmh.backup.tables import backed_up_models
from qnwmh.core.errors import Conflict, InvalidInput
from qnwmh.jobs import recovery


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def create_backup(path: Path, *, using: str = "default") -> dict:
    """Write a backup archive of the database and MEDIA_ROOT to `path` and return its manifest
    (with the archive's own SHA-256 under "file_sha256")."""
    if path.exists():
        raise InvalidInput(_("%(path)s already exists.") % {"path": path})
    if not path.parent.is_dir():
        raise InvalidInput(_("The folder %(path)s does not exist.") % {"path": path.parent})
    manifest = write_backup(path, using)
    digest = file_sha256(path)
    rows = sum(entry["rows"] for entry in manifest["models"])
    record(
        "backup.create",
        scope_unit=root_unit(),
        changes={
            "file": [None, path.name],
            "sha256": [None, digest],
            "rows": [None, rows],
            "media_files": [None, manifest["media_files"]],
            "operator": [None, _operator()],
        },
    )
    return {**manifest, "file_sha256": digest}


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise InvalidInput(_("%(path)s does not exist.") % {"path": path}) from exc
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise mf.corrupted(_("it is not a readable zip archive")) from exc


def restore_backup(
    path: Path, *, force: bool = False, accept_broken_chain: bool = False, using: str = "default"
) -> dict:
    """Restore the archive at `path`. Refuses a damaged archive, one made by another version,
    and a system that already holds data unless `force` (which replaces that data).

    A backup made while the audit chain was broken (one tampered row) stays restorable:
    with `accept_broken_chain` it is restored when the restored chain breaks exactly where the
    backup recorded it (the manifest's audit_chain.break) — any other break is refused — and
    the break is reported again: in the result ("audit_break"), in the backup.restore entry,
    and by every later verify_audit (issue 12 #4)."""
    digest = file_sha256(path) if path.is_file() else ""
    with _open(path) as archive:
        manifest = mf.read_manifest(archive)
        mf.check_integrity(archive, manifest)
        load.check_compatible(manifest)
        present = load.system_contents(using)
        if present and not force:
            raise Conflict(
                _(
                    "This system already holds data (%(what)s). Restoring would replace it: "
                    "add --force if that is what you want."
                )
                % {"what": "、".join(present)},
                code="not_empty",
            )
        load.migrate_if_needed(using)
        staging = load.stage_media(archive, manifest)
        try:
            audit_break = _restore_rows(
                archive, manifest, path.name, digest, using, accept_broken_chain
            )
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
    load.place_media(staging, replace=force)
    return {**manifest, "file_sha256": digest, "audit_break": audit_break}


def _restore_rows(
    archive, manifest: dict, file_name: str, digest: str, using: str, accept_broken: bool
) -> str | None:
    with transaction.atomic(using=using):
        guard.allow_wipe(using)
        load.wipe(using)
        for entry in manifest["models"]:
            load.load_rows(archive, entry, using)
        connections[using].check_constraints(
            table_names=[model._meta.db_table for model in backed_up_models()]
        )
        load.reset_sequences(using)
        load.check_counts(manifest, using)
        # The restored system has no worker for a job that was queued or running (issue 12 #5).
        recovery.fail_unfinished(using)
        audit_break = _checked_chain(verify_chain(using), manifest, accept_broken)
        record(
            "backup.restore",
            scope_unit=root_unit(),
            changes={
                "file": [None, file_name],
                "sha256": [None, digest],
                "created_at": [None, manifest["created_at"]],
                "rows": [None, sum(entry["rows"] for entry in manifest["models"])],
                "media_files": [None, manifest["media_files"]],
                "operator": [None, _operator()],
                **({"audit_break": [None, audit_break]} if audit_break else {}),
            },
        )
    return audit_break


def _checked_chain(chain, manifest: dict, accept_broken: bool) -> str | None:
    """None for an intact chain; the break's message when it is the one the backup recorded
    and the operator accepted it; otherwise the restore is refused (and rolled back)."""
    if chain.intact:
        return None
    recorded = manifest.get("audit_chain", {}).get("break")
    same = recorded is not None and (recorded["reason"], recorded["seq"]) == (
        chain.broken.reason,
        chain.broken.seq,
    )
    if accept_broken and same:
        return chain.broken.message
    if same:
        hint = _(
            " The backup recorded this break when it was made: add --accept-broken-chain to "
            "restore it with the break kept on record."
        )
    elif accept_broken:
        hint = _(" This is not the break the backup recorded when it was made.")
    else:
        hint = ""
    raise InvalidInput(
        _("The restored audit log does not verify: %(problem)s") % {"problem": chain.broken.message}
        + hint,
        code="audit_broken",
    )
