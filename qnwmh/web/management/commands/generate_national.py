"""`manage.py generate_national --units 50000 --collectives 1000000 --seed 1`: the national-scale
data set of issue 5 (bench/generate.py), into a fresh, migrated database."""

from django.core.management.base import BaseCommand, CommandError

from bench.generate import NotEmpty, generate
from bench.writer import MissingValue


class Command(BaseCommand):
    help = "Fill a fresh database with a reproducible national-scale data set."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=50_000)
        parser.add_argument("--collectives", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, units, collectives, seed, **options):
        if units < 7 or collectives < 1:
            raise CommandError("--units must be at least 7 and --collectives at least 1.")
        try:
            generate(units=units, collectives=collectives, seed=seed, out=self.stdout.write)
        except (NotEmpty, MissingValue) as exc:
            raise CommandError(str(exc)) from exc
