"""manage.py verify_audit [--archive FILE]: walk the audit chain and name the first break, then
check the newest anchor (audit/anchor.py) so a cut tail is reported too."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qnwmh.audit.anchor import check_head
from qnwmh.audit.archive import verify_archive
from qnwmh.audit.verify import verify_chain
from qnwmh.core.errors import DomainError


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (or an archive file's) and report the first break."

    def add_arguments(self, parser):
        parser.add_argument("--archive", type=Path, help="verify an archive file instead")
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive=None, database="default", **options):
        try:
            result = verify_archive(archive) if archive else verify_chain(database)
        except (DomainError, OSError, ValueError) as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        if not result.intact:
            self.stderr.write(result.broken.message)
            sys.exit(1)
        tail = None if archive else check_head(database)
        if tail is not None:
            self.stderr.write(tail.message)
            sys.exit(1)
        self.stdout.write(
            ngettext(
                "Audit log intact: %(count)d entry.",
                "Audit log intact: %(count)d entries.",
                result.count,
            )
            % {"count": result.count}
        )
        if result.count:
            self.stdout.write(
                _("Last entry: sequence %(seq)s, hash %(hash)s")
                % {"seq": result.last_seq, "hash": result.last_hash}
            )
