"""manage.py archive_audit --before YYYY-MM-DD --out PATH: move entries older than the retention
period to a verifiable archive file (see qnwmh/audit/archive.py)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qnwmh.audit.archive import archive_entries
from qnwmh.core.errors import DomainError


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}) from exc


class Command(BaseCommand):
    help = "Archive audit entries written before a date (at least the retention period ago)."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, type=Path, help="the .jsonl.gz file to write")

    def handle(self, *args, before, out, **options):
        try:
            checkpoint = archive_entries(_date(before), out.resolve())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _(
                "Archived %(count)s entries (sequence %(first)s to %(last)s) to %(file)s, "
                "SHA-256 %(sha256)s."
            )
            % {
                "count": checkpoint.entry_count,
                "first": checkpoint.first_seq,
                "last": checkpoint.last_seq,
                "file": out,
                "sha256": checkpoint.file_sha256,
            }
        )
