"""The subtree filter of collectives and the scope query of registrations use an index on both
databases: SQLite's EXPLAIN QUERY PLAN says USING INDEX on a unit_path index; PostgreSQL, with
enough rows and fresh statistics, plans an Index Scan or Bitmap Index Scan on one. (Django's
`__startswith` would be `LIKE … ESCAPE` on SQLite and skip the index: subtree_filter is a
range.)"""

import pytest
from django.db import connection

from bench.generate import generate
from qnwmh.accounts.models import User
from qnwmh.collectives.models import Collective
from qnwmh.cycles.models import Cycle
from qnwmh.registrations.models import Registration
from qnwmh.units.models import Unit

pytestmark = pytest.mark.django_db


def _quiet(_line: str) -> None:
    return None


def _indexes_on_unit_path(model) -> set[str]:
    """Names of the indexes that can serve the unit_path range: unit_path first, or after an
    equality column (registration_scope is cycle, unit_path, state)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name
        for name, info in constraints.items()
        if info["index"] and "unit_path" in (info["columns"] or [])[:2]
    }


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def _county_admin() -> User:
    county = Unit.objects.filter(tier=3).order_by("id").first()
    return User.objects.select_related("unit").get(kind="ADMIN", unit=county)


def _scoped_queries():
    admin = _county_admin()
    collectives = Collective.objects.visible_to(admin)
    registrations = Registration.objects.visible_to(admin).filter(
        cycle=Cycle.objects.order_by("-registration_closes").first()
    )
    return collectives, registrations


def _uses_one_of(plan: str, names: set[str]) -> bool:
    return any(name in plan for name in names)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_subtree_and_scope_queries_use_an_index_on_sqlite():
    generate(units=60, collectives=400, seed=2, out=_quiet)
    collectives, registrations = _scoped_queries()
    for queryset, model in ((collectives, Collective), (registrations, Registration)):
        plan = _plan(queryset)
        # SEARCH = an index lookup or range; SCAN would read the whole table (or index).
        assert f"SEARCH {model._meta.db_table} USING" in plan, plan
        assert _uses_one_of(plan, _indexes_on_unit_path(model)), plan


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_subtree_and_scope_queries_use_an_index_on_postgresql():
    generate(units=200, collectives=3000, seed=2, out=_quiet)  # ends with ANALYZE
    collectives, registrations = _scoped_queries()
    for queryset, model in ((collectives, Collective), (registrations, Registration)):
        plan = _plan(queryset)
        assert "Index Scan" in plan or "Bitmap Index Scan" in plan, plan
        assert _uses_one_of(plan, _indexes_on_unit_path(model)), plan
        assert "Seq Scan" not in plan, plan
