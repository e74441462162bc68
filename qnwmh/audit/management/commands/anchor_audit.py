"""manage.py anchor_audit: append the signed head of the audit chain to the anchor file (run
hourly from cron or a systemd timer when there is no Celery beat, docs/deploy.md)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from qnwmh.audit.anchor import path, write_anchor


class Command(BaseCommand):
    help = "Anchor the audit log's head (sequence and hash, signed) outside the table."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        anchor = write_anchor(database)
        self.stdout.write(
            _("Anchored sequence %(seq)s, hash %(hash)s, in %(path)s.")
            % {"seq": anchor.seq, "hash": anchor.hash or "-", "path": path()}
        )
