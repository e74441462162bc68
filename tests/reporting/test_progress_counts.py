"""The dashboard's count lookup on a generated data set: the table gives the live GROUP BY's
numbers for units at every level, and its one query is an index range on both databases
(SQLite: SEARCH … USING INDEX registrationcount_lookup; PostgreSQL after ANALYZE: an Index or
Bitmap Index Scan on it, no Seq Scan)."""

import pytest
from django.db import connection

from bench.generate import generate
from qnwmh.cycles.models import Cycle
from qnwmh.registrations import counts
from qnwmh.reporting.progress import _counts, count_rows, live_counts
from qnwmh.units.models import Unit

pytestmark = pytest.mark.django_db

INDEX = "registrationcount_lookup"


def _quiet(_line: str) -> None:
    return None


def _plan(sql: str, params: list) -> str:
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def _units_at_each_tier() -> list[Unit]:
    return [Unit.objects.filter(tier=tier).order_by("id").first() for tier in range(4)]


def _open_cycle() -> Cycle:
    return Cycle.objects.order_by("-registration_closes").first()


def _assert_equal_numbers(cycle) -> None:
    assert counts.differences(cycle.pk) == []
    for unit in _units_at_each_tier():
        assert _counts(cycle, unit) == live_counts(cycle, unit), unit.name


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_count_lookup_uses_the_index_on_sqlite():
    generate(units=60, collectives=400, seed=2, out=_quiet)
    cycle = _open_cycle()
    _assert_equal_numbers(cycle)
    for unit in _units_at_each_tier():
        plan = _plan(*count_rows(cycle, unit))
        assert f"USING INDEX {INDEX}" in plan, plan
        assert "SCAN registrations_registrationcount" not in plan, plan


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_count_lookup_uses_the_index_on_postgresql():
    generate(units=200, collectives=3000, seed=2, out=_quiet)  # ends with ANALYZE
    cycle = _open_cycle()
    _assert_equal_numbers(cycle)
    for unit in _units_at_each_tier():
        plan = _plan(*count_rows(cycle, unit))
        assert INDEX in plan, plan
        assert "Seq Scan" not in plan, plan
