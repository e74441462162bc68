"""Page totals are counted up to COUNT_CAP (docs/performance.md §3): beyond it the page says
"超过 … 条", keeps Previous/Next, and never counts the whole subtree."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.collectives.models import Collective
from qnwmh.core import pagination
from qnwmh.core.pagination import capped_count, paginate
from tests.collectives.factories import CollectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(world):
    return [CollectiveFactory(code=f"520000000{n}", unit=world.wuling) for n in range(1, 6)]


def _page(params, cap, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", cap)
    return paginate(Collective.objects.order_by("code"), params)


def test_capped_count_stops_one_past_the_cap(five):
    assert capped_count(Collective.objects.all(), cap=3) == 4
    assert capped_count(Collective.objects.all(), cap=10) == 5


def test_capped_count_reads_a_limited_subquery_without_ordering(five):
    with CaptureQueriesContext(connection) as queries:
        capped_count(Collective.objects.order_by("code"), cap=3)
    sql = queries[0]["sql"].upper()
    assert "LIMIT 4" in sql
    assert "ORDER BY" not in sql


def test_below_the_cap_the_count_is_exact(five, monkeypatch):
    page = _page({"page_size": 2, "page": 2}, 10, monkeypatch)
    assert (page.count, page.count_capped, page.num_pages) == (5, False, 3)
    assert [c.code for c in page.items] == ["5200000003", "5200000004"]
    assert (page.has_previous, page.has_next) == (True, True)


def test_a_page_past_the_end_shows_the_last_one_when_the_count_is_known(five, monkeypatch):
    page = _page({"page_size": 2, "page": 99}, 10, monkeypatch)
    assert (page.number, [c.code for c in page.items]) == (3, ["5200000005"])
    assert not page.has_next


def test_above_the_cap_next_is_known_from_the_rows(five, monkeypatch):
    first = _page({"page_size": 2}, 3, monkeypatch)
    assert (first.count, first.count_capped, first.num_pages) == (3, True, None)
    assert first.has_next
    last = _page({"page_size": 2, "page": 3}, 3, monkeypatch)
    assert [c.code for c in last.items] == ["5200000005"]
    assert (last.has_previous, last.has_next) == (True, False)


def test_the_page_says_more_than_the_cap(world, five, login_as, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    page = login_as(world.users["hunan"]).get("/collectives/", {"page_size": 2}).content.decode()
    assert "超过 3 条 · 第 1 页" in page
    assert "下一页" in page or "page=2" in page


def test_an_empty_list_is_one_empty_page(world, login_as):
    page = paginate(Collective.objects.order_by("code"), {})
    assert (page.items, page.count, page.num_pages, page.has_next) == ([], 0, 1, False)
