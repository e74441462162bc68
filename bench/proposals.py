"""Figures of changes first proposed in docs/performance.md and now the app's own: the name
search through its trigram and bigram indexes. (The dashboard's subtree count table, proposed
here first, is measured by bench/dashboard.py.)"""

from bench import results
from bench.results import Figure
from bench.sql_figures import timed, timed_seqscan


def search_figures(app_sql: list[str], search_case, two_char_case) -> list[Figure]:
    """Name search, national: the app's own SQL, captured from the page, against the same SQL
    with sequential scans forced. Three characters go through the pg_trgm indexes, two through
    the bigram indexes (collectives migration 0003, docs/performance.md §2)."""
    from urllib.parse import quote

    from bench.clients import data_queries
    from bench.sql_figures import Clients

    app = [(sql, None) for sql in app_sql]
    figures = [
        results.faster(
            "name search ≥3 chars, national (app: trigram GIN + UNION of ids)",
            timed(app),
            timed_seqscan(app),
            "ms",
            100,
            note="baseline: the same SQL, sequential scans forced",
        )
    ]
    # The two-character search as the page sends it (its hand-written case holds the key).
    two_chars = two_char_case.hand[0][1][0].strip("%")
    client = Clients().for_case(search_case)
    two_app = [(sql, None) for sql in data_queries(client, f"/collectives/?q={quote(two_chars)}")]
    two = results.faster(
        "name search 2 chars, national (app: bigram GIN + UNION of ids)",
        timed(two_app),
        timed_seqscan(two_app),
        "ms",
        1,
        note="baseline: the same SQL, sequential scans forced; no goal of the issue",
    )
    two.goal, two.met = "—", None
    figures.append(two)
    return figures
