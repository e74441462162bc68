"""manage.py restore PATH [--force] [--accept-broken-chain]: restore a backup archive into this
system."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qnwmh.backup.domain import restore_backup
from qnwmh.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Restore a backup archive. Checks its integrity first; refuses a system that already "
        "holds data unless --force (which replaces that data and the uploaded files)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive file written by `backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace the data this system holds now"
        )
        parser.add_argument(
            "--accept-broken-chain",
            action="store_true",
            help="restore a backup made while the audit log was broken (the break it recorded)",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, path, force, database, accept_broken_chain=False, **options):
        try:
            manifest = restore_backup(
                path.resolve(), force=force, accept_broken_chain=accept_broken_chain, using=database
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        values = {
            "rows": sum(entry["rows"] for entry in manifest["models"]),
            "tables": len(manifest["models"]),
            "files": manifest["media_files"],
            "created_at": manifest["created_at"],
        }
        if not manifest["audit_break"]:
            message = _(
                "Restored %(rows)s rows in %(tables)s tables and %(files)s files from the backup "
                "of %(created_at)s; the audit log verifies."
            )
            self.stdout.write(message % values)
            return
        message = _(
            "Restored %(rows)s rows in %(tables)s tables and %(files)s files from the backup "
            "of %(created_at)s, with its broken audit log."
        )
        self.stdout.write(message % values)
        self.stderr.write(
            _("Warning: the restored audit log is broken, as it was when backed up: %(problem)s")
            % {"problem": manifest["audit_break"]}
        )
