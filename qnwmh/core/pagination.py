"""Pagination for pages and API. Pages use `paginate` (page size from the query, bounded).

A page's total is counted only up to COUNT_CAP (docs/performance.md §3): an exact COUNT(*)
reads the whole subtree, about a second for the whole country at a million collectives, on
every page view, to print a number nobody reads beyond "more than ten thousand". The capped
count reads at most COUNT_CAP + 1 index entries. The API keeps its exact `count`: API.md
promises it to the programs that read it.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
COUNT_CAP = 10_000


def bounded_int(raw, default: int, low: int, high: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return max(low, min(high, value))


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """The number of rows, or cap + 1 when there are more than `cap`:
    `SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1)`, without the ordering and the annotated
    columns (a list's per-row subqueries) the count does not need."""
    return queryset.order_by().values("pk")[: cap + 1].count()


@dataclass
class PageResult:
    items: list
    number: int
    page_size: int
    # Exact when not count_capped; else COUNT_CAP, and the list has more rows than that.
    count: int
    count_capped: bool = False
    # Only known from the rows when the count is capped; else computed from the count.
    more: bool | None = None

    @property
    def num_pages(self) -> int | None:
        """None when the count is capped: the last page is not known."""
        if self.count_capped:
            return None
        return max(1, -(-self.count // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        if self.more is not None:
            return self.more
        return self.number < self.num_pages


def paginate(queryset: QuerySet, params, default_size: int = DEFAULT_PAGE_SIZE) -> PageResult:
    """One page of `queryset` (which must be ordered). A page number past the end shows the last
    page when the total is known; past the cap it shows what is there (maybe nothing)."""
    size = bounded_int(params.get("page_size"), default_size, 1, MAX_PAGE_SIZE)
    number = bounded_int(params.get("page"), 1, 1, 10**9)
    count = capped_count(queryset)
    if count <= COUNT_CAP:
        number = min(number, max(1, -(-count // size)))
        start = (number - 1) * size
        items = list(queryset[start : start + size]) if count else []
        return PageResult(items, number, size, count)
    start = (number - 1) * size
    # One row more than the page tells whether there is a next page, without counting.
    rows = list(queryset[start : start + size + 1])
    return PageResult(
        rows[:size], number, size, COUNT_CAP, count_capped=True, more=len(rows) > size
    )


def api_page(queryset: QuerySet, page: int, page_size: int, body=None) -> dict:
    """A list answer of API v1: {"count", "results"} for one page (page_size ≤ 200 is checked
    by the endpoint's filter schema); `body` turns a row into its JSON body. The count is
    exact (API.md)."""
    start = (page - 1) * page_size
    rows = queryset[start : start + page_size]
    return {"count": queryset.count(), "results": [body(r) for r in rows] if body else list(rows)}
