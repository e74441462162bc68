"""The benchmark's own PostgreSQL database (never another one): created when missing, filled by
the generator at the requested size, and the personas the figures act as."""

import os
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qnwmh_bench"


def bench_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    name = urlsplit(url).path.lstrip("/")
    if not name.endswith("_bench"):
        # The benchmark drops and refills its database: refuse any name not made for it.
        raise SystemExit(f"BENCH_DATABASE_URL must name a database ending in _bench, not {name!r}")
    return url


def ensure_database(url: str, *, recreate: bool = False) -> None:
    """Create the bench database when missing (or drop and create it when `recreate`),
    connecting to the server's maintenance database `postgres`."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(url: str, collectives: int, seed: int, out) -> float | None:
    """Migrate, and (re)generate the data set unless it is there at this size. Returns the
    generation time in seconds, or None when the data set was already there."""
    from django.core.management import call_command
    from django.db import connections

    from bench.generate import generate
    from qnwmh.collectives.models import Collective
    from qnwmh.units.models import Unit

    units = max(7, collectives // 20)
    ensure_database(url)
    call_command("migrate", verbosity=0)
    if Unit.objects.count() == units and Collective.objects.count() == collectives:
        out(f"Data set present: {units:,} units, {collectives:,} collectives.")
        return None
    out(f"Generating {units:,} units and {collectives:,} collectives into a fresh database …")
    connections.close_all()
    ensure_database(url, recreate=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(units=units, collectives=collectives, seed=seed, out=out)
    return time.perf_counter() - started


@dataclass
class Personas:
    national: object
    province: object  # the region province with the most collectives
    county: object  # the county of that province with the most collectives
    cycle: object  # the open cycle


def personas() -> Personas:
    from django.db.models import Count

    from qnwmh.accounts.enums import AccountKind
    from qnwmh.accounts.models import User
    from qnwmh.collectives.models import Collective
    from qnwmh.core import paths
    from qnwmh.cycles.models import Cycle
    from qnwmh.units.enums import Line
    from qnwmh.units.models import Unit

    def admin_of(unit):
        return User.objects.select_related("unit").get(kind=AccountKind.ADMIN, unit=unit)

    national = Unit.objects.get(parent=None)
    provinces = Unit.objects.filter(parent=national, line=Line.REGION)
    province = max(
        provinces,
        key=lambda u: Collective.objects.filter(
            **paths.subtree_filter("unit_path", u.path)
        ).count(),
    )
    county = (
        Collective.objects.filter(unit__tier=3, **paths.subtree_filter("unit_path", province.path))
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return Personas(
        national=admin_of(national),
        province=admin_of(province),
        county=admin_of(Unit.objects.get(pk=county["unit"])),
        cycle=Cycle.objects.order_by("-registration_closes").first(),
    )
