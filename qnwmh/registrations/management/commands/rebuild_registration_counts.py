"""Recompute the progress dashboard's subtree counts from the registrations (after a bulk
load, a restore from an older dump, or a failed nightly check), or only compare them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qnwmh.registrations import counts

SHOWN = 20  # differences listed; the total is always given


class Command(BaseCommand):
    help = "Recompute (or with --check only compare) the registrations' subtree count table."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="only this cycle (id)")
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare with the registrations and exit 1 on any difference; change nothing",
        )

    def handle(self, *args, cycle=None, check=False, **options):
        if check:
            self._check(cycle)
            return
        written = counts.rebuild(cycle)
        self.stdout.write(_("Subtree counts rebuilt: %(rows)d rows.") % {"rows": written})

    def _check(self, cycle) -> None:
        found = counts.differences(cycle)
        for (cycle_id, path, state, non_public, previous_title), stored, live in found[:SHOWN]:
            self.stdout.write(
                _(
                    "cycle %(cycle)d, unit path %(path)s, %(state)s, non-public %(np)s, "
                    "previous title %(pt)s: stored %(stored)d, registrations %(live)d"
                )
                % {
                    "cycle": cycle_id,
                    "path": path,
                    "state": state,
                    "np": non_public,
                    "pt": previous_title,
                    "stored": stored,
                    "live": live,
                }
            )
        if found:
            raise CommandError(
                _("%(count)d subtree counts differ from the registrations.") % {"count": len(found)}
            )
        self.stdout.write(_("Subtree counts match the registrations."))
