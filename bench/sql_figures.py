"""SQL figures: the SQL the pages and API emit against hand-written SQL; the dashboard counts
against the live GROUP BY (bench/dashboard.py: the app's count table); the name search against a
forced sequential scan (and trigram indexes, proposed). Everything runs in the same process,
on the same connection, one after the other, medians of several runs."""

from django.db import connection, transaction

from bench import results, sql_cases
from bench.clients import ApiClient, data_queries, web_client
from bench.results import Figure
from qnwmh.collectives.names import name_key
from qnwmh.core import paths

REPEAT = 7
SEQSCAN = (
    "SET LOCAL enable_indexscan = off",
    "SET LOCAL enable_bitmapscan = off",
    "SET LOCAL enable_indexonlyscan = off",
)


def _run_all(statements: list) -> None:
    with connection.cursor() as cursor:
        rows = []
        for sql, params in statements:
            if params is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, [p(rows) if callable(p) else p for p in params])
            rows = cursor.fetchall()


def timed(statements: list, repeat: int = REPEAT) -> float:
    return results.median_ms(lambda: _run_all(statements), repeat=repeat)


def timed_seqscan(statements: list) -> float:
    with transaction.atomic():
        with connection.cursor() as cursor:
            for setting in SEQSCAN:
                cursor.execute(setting)
        return timed(statements, repeat=3)


class Clients:
    def __init__(self):
        self._web, self._api = {}, {}

    def for_case(self, case):
        store, make = (self._api, ApiClient) if case.api else (self._web, web_client)
        if case.user.pk not in store:
            store[case.user.pk] = make(case.user)
        return store[case.user.pk]


def cases(p, search_word: str) -> list:
    cycle = p.cycle.pk
    c = sql_cases
    return [
        c.collective_list("collectives page, national", "/collectives/", p.national),
        c.collective_list("collectives page, province", "/collectives/", p.province),
        c.collective_list("collectives page, county", "/collectives/", p.county),
        c.collective_list(
            "collectives API, province", "/api/v1/collectives?page_size=20", p.province, True
        ),
        c.collective_search(
            "collectives search (3 chars), national",
            f"/collectives/?q={search_word}",
            p.national,
            name_key(search_word),
        ),
        c.review_queue("review queue, province", "/registrations/queue/", p.province),
        c.registration_api(
            "registrations API, province",
            f"/api/v1/registrations?cycle={cycle}",
            p.province,
            cycle,
        ),
        c.progress_search(
            "进度查询 search, national",
            f"/registrations/progress/?q={search_word}",
            p.national,
            search_word,
        ),
        c.dashboard(
            "progress dashboard, national",
            f"/cycles/{cycle}/progress/",
            p.national,
            p.national.unit,
            cycle,
        ),
        c.dashboard(
            "progress dashboard, province",
            f"/cycles/{cycle}/progress/?unit={p.province.unit_id}",
            p.province,
            p.province.unit,
            cycle,
        ),
        c.dashboard(
            "progress dashboard, county",
            f"/cycles/{cycle}/progress/?unit={p.county.unit_id}",
            p.county,
            p.county.unit,
            cycle,
        ),
    ]


def orm_vs_hand(case_list, clients: Clients, captured: dict) -> list[Figure]:
    figures = []
    for case in case_list:
        orm = [(sql, None) for sql in data_queries(clients.for_case(case), case.url)]
        captured[case.name] = [sql for sql, _ in orm]
        figures.append(
            results.slower(
                f"SQL: {case.name}",
                timed(orm),
                timed(case.hand),
                "ms",
                1.5,
                note=f"{len(orm)} ORM queries vs {len(case.hand)} hand-written",
            )
        )
    return figures


def search_word(p) -> str:
    """Three characters from inside a collective name of the province (a place name)."""
    from qnwmh.collectives.models import Collective

    collective = (
        Collective.objects.filter(**paths.subtree_filter("unit_path", p.county.unit.path))
        .order_by("code")
        .first()
    )
    return collective.name[:3]
