"""manage.py backup PATH: one archive file with the database and the uploaded files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qnwmh.backup.domain import create_backup
from qnwmh.core.errors import DomainError


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT to one archive file (zip)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive file to write (.zip)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, path, database, **options):
        try:
            manifest = create_backup(path.resolve(), using=database)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        rows = sum(entry["rows"] for entry in manifest["models"])
        self.stdout.write(
            _(
                "Backup written to %(path)s: %(rows)s rows in %(tables)s tables, %(files)s "
                "files. SHA-256 %(sha256)s"
            )
            % {
                "path": path,
                "rows": rows,
                "tables": len(manifest["models"]),
                "files": manifest["media_files"],
                "sha256": manifest["file_sha256"],
            }
        )
        if not manifest["audit_chain"]["intact"]:
            self.stderr.write(
                _("Warning: the audit log did not verify when the backup was made (verify_audit).")
            )
