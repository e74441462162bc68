"""Restoring a backup archive (数据恢复) into this system: integrity first, then one transaction
that empties the tables, loads every row in dependency order, checks the constraints, the row
counts and the audit chain; media files are staged beside MEDIA_ROOT and moved in place only
after the database committed."""

import io
import secrets
import shutil
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.models import sql
from django.utils.translation import gettext as _

from qnwmh.backup import manifest as mf
from qnwmh.backup.dump import local_media_root, media_files
from qnwmh.backup.tables import backed_up_models, label, model_for
from qnwmh.core.errors import InvalidInput

MAX_BATCH = 500


def check_compatible(manifest: dict) -> None:
    """Every model of the backup exists here and the backup was made at exactly this system's
    migration state (restore with the version that made the backup, then upgrade)."""
    for entry in manifest["models"]:
        if model_for(entry["label"]) is None:
            raise InvalidInput(
                _("The backup holds %(model)s, which this version does not know.")
                % {"model": entry["label"]},
                code="backup_incompatible",
            )
    ours = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    theirs = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    if ours != theirs:
        newer = sorted(theirs - ours)[:3]
        older = sorted(ours - theirs)[:3]
        raise InvalidInput(
            _(
                "The backup was made by another version of the system (database migrations "
                "differ: only in the backup %(newer)s; only here %(older)s). Restore it with the "
                "version that made it, then upgrade."
            )
            % {"newer": _names(newer), "older": _names(older)},
            code="backup_incompatible",
        )


def _names(pairs) -> str:
    return "、".join(f"{app}.{name}" for app, name in pairs) or "—"


def system_contents(using: str) -> list[str]:
    """What this system already holds: tables with rows, files under MEDIA_ROOT."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    found = [
        label(model)
        for model in backed_up_models()
        if model._meta.db_table in existing and model._base_manager.using(using).exists()
    ]
    if next(media_files(local_media_root()), None) is not None:
        found.append("MEDIA_ROOT")
    return found


def migrate_if_needed(using: str) -> bool:
    executor = MigrationExecutor(connections[using])
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", database=using, interactive=False, verbosity=0)
    return True


def wipe(using: str) -> None:
    """Empty every table a backup holds, and the sessions (in one statement on PostgreSQL, which
    takes the tables' dependencies into account; foreign keys are checked at commit)."""
    connection = connections[using]
    tables = [model._meta.db_table for model in backed_up_models()]
    if apps.is_installed("django.contrib.sessions"):
        tables.append(apps.get_model("sessions", "Session")._meta.db_table)
    existing = set(connection.introspection.table_names())
    tables = [table for table in tables if table in existing]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def load_rows(archive, entry: dict, using: str) -> int:
    """Insert the rows of one model as they were (raw: no auto_now, no signals), in batches."""
    model = model_for(entry["label"])
    fields = [field for field in model._meta.local_concrete_fields if not field.generated]
    size = max(1, min(MAX_BATCH, connections[using].ops.bulk_batch_size(fields, range(MAX_BATCH))))
    batch, loaded = [], 0
    with archive.open(entry["member"]) as raw, io.TextIOWrapper(raw, encoding="utf-8") as text:
        try:
            for item in serializers.deserialize("jsonl", text, using=using):
                if type(item.object) is not model:
                    raise DeserializationError(label(type(item.object)))
                batch.append(item.object)
                if len(batch) == size:
                    loaded += _insert(model, fields, batch, using)
                    batch = []
        except DeserializationError as exc:
            raise mf.corrupted(
                _("the rows of %(model)s cannot be read") % {"model": entry["label"]}
            ) from exc
    return loaded + (_insert(model, fields, batch, using) if batch else 0)


def _insert(model, fields, objs, using: str) -> int:
    query = sql.InsertQuery(model)
    query.insert_values(fields, objs, raw=True)
    query.get_compiler(using=using).execute_sql()
    return len(objs)


def reset_sequences(using: str) -> None:
    """PostgreSQL: the id sequences continue after the highest restored id."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), backed_up_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def check_counts(manifest: dict, using: str) -> None:
    for entry in manifest["models"]:
        found = model_for(entry["label"])._base_manager.using(using).count()
        if found != entry["rows"]:
            raise InvalidInput(
                _("%(model)s: %(found)s rows restored, the backup lists %(rows)s.")
                % {"model": entry["label"], "found": found, "rows": entry["rows"]},
                code="backup_count",
            )


def stage_media(archive, manifest: dict) -> Path:
    """Extract the media files beside MEDIA_ROOT (same file system: moving them in is a rename),
    checking each one's SHA-256 again on the way out."""
    root = local_media_root()
    if root is None:
        if manifest["media_files"]:
            raise InvalidInput(
                _(
                    "The backup holds uploaded files, but this system keeps its files in an "
                    "object store (MEDIA_STORAGE): copy them there with the store's own tools."
                ),
                code="backup_media",
            )
        return None
    root.mkdir(parents=True, exist_ok=True)
    staging = root.parent / f".{root.name}-restore-{secrets.token_hex(6)}"
    staging.mkdir(mode=0o700)
    try:
        for name, expected in sorted(manifest["members"].items()):
            if not name.startswith(mf.MEDIA_PREFIX):
                continue
            target = staging.joinpath(*mf.safe_media_path(name).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as sink:
                found = mf.member_digest(archive, name, sink)
            if found != (expected["sha256"], expected["size"]):
                raise mf.corrupted(_("the checksum of %(name)s does not match") % {"name": name})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def place_media(staging: Path | None, replace: bool) -> None:
    root = local_media_root()
    if staging is None or root is None:
        return
    if replace:
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            target = root / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
    shutil.rmtree(staging)
