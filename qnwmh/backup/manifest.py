"""The manifest of a backup archive and the integrity check that runs before anything is
restored: every member listed with its SHA-256 and size, nothing more, nothing less."""

import hashlib
import json
import zipfile
import zlib
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

from qnwmh.core.errors import InvalidInput

FORMAT = "qnwmh-backup"
VERSION = 1
MANIFEST = "manifest.json"
DB_PREFIX = "db/"
MEDIA_PREFIX = "media/"
BLOCK = 1 << 20


def corrupted(detail: str) -> InvalidInput:
    return InvalidInput(
        _("The backup file is damaged or was altered: %(detail)s") % {"detail": detail},
        code="backup_corrupted",
    )


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError as exc:
        raise corrupted(_("it has no manifest")) from exc
    except (ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise corrupted(_("its manifest cannot be read")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise corrupted(_("it is not a backup of this system"))
    if manifest.get("version") != VERSION:
        raise InvalidInput(
            _("This backup has format version %(version)s; this system reads version %(ours)s.")
            % {"version": manifest.get("version"), "ours": VERSION},
            code="backup_version",
        )
    if not _well_formed(manifest):
        raise corrupted(_("its manifest cannot be read"))
    return manifest


def _well_formed(manifest: dict) -> bool:
    members, models = manifest.get("members"), manifest.get("models")
    return (
        isinstance(members, dict)
        and all(
            isinstance(item, dict)
            and isinstance(item.get("sha256"), str)
            and isinstance(item.get("size"), int)
            for item in members.values()
        )
        and isinstance(models, list)
        and all(
            isinstance(model, dict)
            and isinstance(model.get("label"), str)
            and isinstance(model.get("member"), str)
            and isinstance(model.get("rows"), int)
            for model in models
        )
        and isinstance(manifest.get("migrations"), dict)
        and all(
            isinstance(names, list) and all(isinstance(name, str) for name in names)
            for names in manifest["migrations"].values()
        )
        and isinstance(manifest.get("media_files"), int)
        and isinstance(manifest.get("created_at"), str)
    )


def safe_media_path(member: str) -> PurePosixPath:
    """The path under MEDIA_ROOT of a media member; refuses anything that could escape it."""
    relative = PurePosixPath(member[len(MEDIA_PREFIX) :])
    if (
        not member.startswith(MEDIA_PREFIX)
        or relative.is_absolute()
        or not relative.parts
        or any(part in ("", ".", "..") or "\\" in part for part in relative.parts)
    ):
        raise corrupted(_("the member %(name)s has an unsafe name") % {"name": member})
    return relative


def member_digest(archive: zipfile.ZipFile, name: str, sink=None) -> tuple[str, int]:
    """SHA-256 and size of a member, read in blocks (and copied to `sink` if given)."""
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as stream:
        for block in iter(lambda: stream.read(BLOCK), b""):
            digest.update(block)
            size += len(block)
            if sink is not None:
                sink.write(block)
    return digest.hexdigest(), size


def check_integrity(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every member is listed, every listed member is there with the listed SHA-256 and size."""
    listed = manifest["members"]
    present = {info.filename for info in archive.infolist()} - {MANIFEST}
    for name in sorted(present ^ set(listed)):
        which = _("is not listed in the manifest") if name in present else _("is missing")
        raise corrupted(_("the member %(name)s %(which)s") % {"name": name, "which": which})
    for model in manifest["models"]:
        if model["member"] not in listed:
            raise corrupted(_("the rows of %(model)s are missing") % {"model": model["label"]})
    for name, expected in sorted(listed.items()):
        if name.startswith(MEDIA_PREFIX):
            safe_media_path(name)
        elif not name.startswith(DB_PREFIX):
            raise corrupted(_("the member %(name)s has an unsafe name") % {"name": name})
        if archive.getinfo(name).file_size != expected["size"]:
            # Checked before reading: a forged member cannot make us inflate gigabytes first.
            raise corrupted(_("the checksum of %(name)s does not match") % {"name": name})
        try:
            found = member_digest(archive, name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise corrupted(_("the member %(name)s cannot be read") % {"name": name}) from exc
        if found != (expected["sha256"], expected["size"]):
            raise corrupted(_("the checksum of %(name)s does not match") % {"name": name})
