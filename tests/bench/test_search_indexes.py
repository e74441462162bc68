"""The name search can use its indexes on PostgreSQL (docs/performance.md §2): each branch of
the UNION of ids is served by one index — pg_trgm's for three characters or more, the bigram
index for two, the code index for a code prefix. At test size the planner would rightly prefer
a sequential scan, so the plans are taken with `enable_seqscan = off`: what is asserted is that
the query's shape lets an index serve it (an OR across a join would not)."""

import pytest
from django.db import connection, transaction

from bench.generate import generate
from qnwmh.accounts.models import User
from qnwmh.collectives import queries
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.registrations.queries import progress_search
from qnwmh.units.models import Unit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


def _quiet(_line: str) -> None:
    return None


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def national():
    generate(units=60, collectives=600, seed=3, out=_quiet)
    return User.objects.select_related("unit").get(kind="ADMIN", unit=Unit.objects.get(parent=None))


def _word(length: int) -> str:
    name_key = FormerName.objects.order_by("id").values_list("name_key", flat=True).first()
    return name_key[2 : 2 + length]


def test_three_characters_use_the_trigram_indexes(national):
    found = queries.search(Collective.objects.visible_to(national), _word(3)).order_by("code")
    plan = _plan(found[:20])
    assert "collective_name_trgm" in plan, plan
    assert "formername_name_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert found.exists()


def test_two_characters_use_the_bigram_indexes(national):
    found = queries.search(Collective.objects.visible_to(national), _word(2)).order_by("code")
    plan = _plan(found[:20])
    assert "collective_name_bigrams" in plan, plan
    assert "formername_name_bigrams" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert found.exists()


def test_bigram_search_finds_what_a_scan_finds(national):
    word = _word(2)
    expected = set(Collective.objects.filter(name_key__contains=word).values_list("id", flat=True))
    expected |= set(
        FormerName.objects.filter(name_key__contains=word).values_list("collective_id", flat=True)
    )
    found = set(queries.search(Collective.objects.all(), word).values_list("id", flat=True))
    assert found == expected


def test_progress_search_uses_the_same_indexes(national):
    plan = _plan(progress_search(national, _word(3))[:20])
    assert "collective_name_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan
