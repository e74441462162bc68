"""The national-scale data set (issue 5): `manage.py generate_national --units 50000
--collectives 1000000 --seed 1`.

Everything comes from one `random.Random(seed)`, and every timestamp from fixed dates, so the
same arguments give the same rows on PostgreSQL and on SQLite. Units get explicit ids level by
level (paths are computed before insert, qnwmh/core/paths.py); one admin account per unit;
three national cycles with quotas; collectives with their login (kind COLLECTIVE, username =
code, an unusable password string — a million password hashes would take hours), former names
and titles; registrations in every state over the cycles, each with its Transition history;
at the end the dashboard's subtree counts (qnwmh/registrations/counts.py rebuild).
Rows go in with COPY on PostgreSQL and executemany on SQLite, one transaction per chunk.
"""

import datetime
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from bench.collectives import EPOCH, CollectiveMaker, at_random, unusable_password
from bench.history import RegistrationMaker, id_sequences
from bench.tree import GenUnit, build_tree
from bench.writer import IndexesDeferred, TableWriter, reset_sequences
from qnwmh.accounts import encryption
from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import TwoFactor, User
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.cycles.enums import DEFAULT_PRIOR_LEVELS, Level
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.registrations import counts
from qnwmh.registrations.models import Registration, RegistrationCount, Transition
from qnwmh.titles.models import Title
from qnwmh.units.models import Unit

UTC = datetime.UTC
CHUNK = 20_000
MODELS = [
    Unit,
    User,
    TwoFactor,
    Cycle,
    Quota,
    Collective,
    FormerName,
    Title,
    Registration,
    Transition,
]
# The big tables: their secondary indexes are built after the load (PostgreSQL).
BULK_MODELS = [User, Collective, FormerName, Title, Registration, Transition]
# Collectives belong mostly to counties and city-level units (tiers 2–3).
UNIT_WEIGHT = {1: 1.0, 2: 4.0, 3: 10.0}


class NotEmpty(Exception):
    """The target database already holds units or accounts."""


@dataclass
class GenCycle:
    id: int
    name: str
    opens: datetime.date
    closes: datetime.date
    year: int
    latest: bool


@dataclass
class Summary:
    rows: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    states: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def national_cycles() -> list[GenCycle]:
    """Three two-year national cycles; each window runs from the previous deadline."""
    cycles = []
    for index, first in enumerate((2021, 2023, 2025)):
        opens = datetime.date(first - 1, 12, 31)
        closes = datetime.date(first + 1, 12, 31)
        name = f"{first}—{first + 1}年度全国青年文明号"
        cycles.append(GenCycle(index + 1, name, opens, closes, first + 1, latest=first == 2025))
    return cycles


class Generator:
    def __init__(self, units: int, collectives: int, seed: int, out: Callable[[str], None]):
        self.unit_count, self.collective_count = units, collectives
        self.rng = random.Random(seed)
        self.out = out
        self.summary = Summary()
        self.writers = {model: TableWriter(model) for model in MODELS}
        self.ids = id_sequences()

    def run(self) -> Summary:
        if Unit.objects.exists() or User.objects.exists():
            raise NotEmpty(
                "The database already has units or accounts: generate into a fresh, migrated "
                "database (see docs/performance.md)."
            )
        started = time.perf_counter()
        self.units = build_tree(self.rng, self.unit_count)
        self._write_units()
        self.cycles = national_cycles()
        self._write_cycles()
        self.history = RegistrationMaker(self.rng, self.cycles, self.summary.states, self.ids)
        self.maker = CollectiveMaker(self.rng, self.ids, self.history, self.unit_count)
        with IndexesDeferred(BULK_MODELS):
            self._write_collectives()
        self._progress("indexes built", self.collective_count, self.collective_count, started)
        self._write_quotas()
        with transaction.atomic():
            reset_sequences(MODELS)
        self._count_registrations(started)
        self._analyze()
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    # --- writing ------------------------------------------------------------------------------

    def _write(self, batches: dict) -> None:
        with transaction.atomic():
            self._skip_trigger_checks()
            for model in MODELS:
                rows = batches.get(model)
                if rows:
                    self.summary.rows[model._meta.label] += self.writers[model].write(rows)

    def _progress(self, what: str, done: int, total: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        rows = self.summary.total
        self.out(
            f"  {what}: {done:,}/{total:,}  {rows:,} rows in {elapsed:.1f} s "
            f"({rows / max(elapsed, 1e-9):,.0f} rows/s)"
        )

    def _skip_trigger_checks(self) -> None:
        """On PostgreSQL as a superuser, the foreign-key triggers are skipped for the bulk load
        (a check per row and key would take longer than the load itself); the rows are
        consistent by construction, and tests/bench checks them on SQLite with the keys on."""
        if connection.vendor == "postgresql" and self._superuser():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def _superuser(self) -> bool:
        if not hasattr(self, "_is_superuser"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                self._is_superuser = bool(cursor.fetchone()[0])
        return self._is_superuser

    # --- units and admins ----------------------------------------------------------------------

    def _write_units(self) -> None:
        started = time.perf_counter()
        rng = self.rng
        for start in range(0, len(self.units), CHUNK):
            part = self.units[start : start + CHUNK]
            created = [at_random(rng, EPOCH, 365) for _ in part]
            unit_rows = [
                {
                    "id": u.id,
                    "name": u.name,
                    "line": u.line,
                    "tier": u.level,
                    "parent_id": u.parent.id if u.parent else None,
                    "path": u.path,
                    "created_at": at,
                }
                for u, at in zip(part, created, strict=True)
            ]
            admin_rows = [self._admin(u, at) for u, at in zip(part, created, strict=True)]
            two_factor = [self._two_factor(row) for row in admin_rows]
            self._write({Unit: unit_rows, User: admin_rows, TwoFactor: two_factor})
        self._progress("units and admins", len(self.units), len(self.units), started)

    def _admin(self, unit: GenUnit, at: datetime.datetime) -> dict:
        """One admin per unit, id = the unit's id (collective accounts come after)."""
        return {
            "id": unit.id,
            "username": f"admin{unit.id:08d}",
            "display_name": f"{unit.name}管理员",
            "kind": AccountKind.ADMIN,
            "admin_role": "BUSINESS",  # the domain work (三权分立)
            "unit_id": unit.id,
            "password": unusable_password(self.rng),
            "is_active": True,
            "must_change_password": False,
            "password_changed_at": at,
            "created_at": at,
            "created_by_id": unit.parent.id if unit.parent else None,
        }

    def _two_factor(self, admin: dict) -> dict:
        """Every admin logs in with two factors (accounts.policy): a confirmed authenticator."""
        secret = "".join(self.rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=32))
        return {
            "id": admin["id"],
            "user_id": admin["id"],
            "secret_encrypted": encryption.encrypt(secret),  # as stored (accounts/encryption.py)
            "created_at": admin["created_at"],
            "confirmed_at": admin["created_at"],
        }

    # --- cycles and quotas ---------------------------------------------------------------------

    def _write_cycles(self) -> None:
        rows = [
            {
                "id": c.id,
                "name": c.name,
                "level": Level.NATIONAL,
                "unit_id": 1,
                "previous_id": c.id - 1 if c.id > 1 else None,
                "registration_opens": c.opens,
                "registration_closes": c.closes,
                "prior_title_levels": [
                    str(level) for level in DEFAULT_PRIOR_LEVELS[Level.NATIONAL]
                ],
                "created_at": datetime.datetime.combine(c.opens, datetime.time(), UTC),
                "created_by_id": 1,
            }
            for c in self.cycles
        ]
        self._write({Cycle: rows})

    def _write_quotas(self) -> None:
        """A quota row per cycle for every unit of levels 1 and 2, near what it registered."""
        counts = self.history.per_unit
        rows = []
        for cycle in self.cycles:
            for unit in self.units:
                if unit.level not in (1, 2):
                    continue
                registered, approved = counts.get((cycle.id, unit.id), (0, 0))
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "cycle_id": cycle.id,
                        "unit_id": unit.id,
                        "required_registrations": round(registered * self.rng.uniform(0.8, 1.2)),
                        "evaluation_quota": max(1, approved // 10) if approved else 0,
                    }
                )
        for start in range(0, len(rows), CHUNK):
            self._write({Quota: rows[start : start + CHUNK]})

    # --- collectives ---------------------------------------------------------------------------

    def _owners(self) -> tuple[list[GenUnit], list[float]]:
        owners = [u for u in self.units if u.level in UNIT_WEIGHT]
        weights, total = [], 0.0
        for unit in owners:
            total += UNIT_WEIGHT[unit.level]
            weights.append(total)
        return owners, weights

    def _write_collectives(self) -> None:
        started = time.perf_counter()
        owners, cumulative = self._owners()
        total = self.collective_count
        for start in range(0, total, CHUNK):
            count = min(CHUNK, total - start)
            units = self.rng.choices(owners, cum_weights=cumulative, k=count)
            batches = {model: [] for model in MODELS}
            for offset, unit in enumerate(units):
                self.maker.add(start + offset + 1, unit, batches)
            self._write(batches)
            self._progress("collectives", start + count, total, started)

    def _count_registrations(self, started: float) -> None:
        """The dashboard's subtree counts, from the rows just written: the app's own rebuild
        (the rows bypassed the domain functions that keep the table in step)."""
        written = counts.rebuild()
        self.summary.rows[RegistrationCount._meta.label] += written
        self._progress("subtree counts", self.collective_count, self.collective_count, started)

    def _analyze(self) -> None:
        """Fresh planner statistics: the benchmark's plans must be the ones production gets."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate(
    units: int = 50_000,
    collectives: int = 1_000_000,
    seed: int = 1,
    out: Callable[[str], None] = print,
) -> Summary:
    """Fill the default database (fresh and migrated) with the national data set."""
    generator = Generator(units, collectives, seed, out)
    summary = generator.run()
    for label, count in sorted(summary.rows.items()):
        out(f"  {label}: {count:,}")
    out(
        f"{summary.total:,} rows in {summary.seconds:.1f} s "
        f"({summary.total / max(summary.seconds, 1e-9):,.0f} rows/s) on {connection.vendor}"
    )
    return summary
