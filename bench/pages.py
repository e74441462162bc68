"""The subtree list page for one client, p50 / p95: the collectives page through Django (test
Client: every middleware, the session, the template) against a raw psycopg handler that runs
the best SQL for the same rows and writes the same table as bare HTML.

The two are measured interleaved, request by request (page, raw, raw, page, …), so a change of
the machine's load — other engineers' tests on the same two cores — falls on both alike; the
load average before and after goes into the note."""

import html
import os
import time

import psycopg

from bench import results, sql_cases
from bench.clients import fetch, web_client
from qnwmh.core import paths

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def raw_handler(conn: psycopg.Connection, unit_path: str) -> bytes:
    low, high = paths.subtree_range(unit_path)
    with conn.cursor() as cursor:
        cursor.execute(sql_cases.COLLECTIVE_CAPPED_COUNT, [low, high])
        (count,) = cursor.fetchone()
        cursor.execute(sql_cases.COLLECTIVE_PAGE, [low, high])
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        cursor.execute(sql_cases.FORMER, [ids])
        former: dict[int, list[str]] = {}
        for collective_id, name in cursor.fetchall():
            former.setdefault(collective_id, []).append(name)
        cursor.execute(sql_cases.TITLES, [ids])
        titles: dict[int, list[str]] = {}
        for collective_id, _level, year, name, _revoked in cursor.fetchall():
            titles.setdefault(collective_id, []).append(f"{name} {year}")
    body = [f"<p>{count}</p><table>"]
    for row in rows:
        cells = (row[1], row[2], row[8], "、".join(former.get(row[0], [])))
        cells += ("、".join(titles.get(row[0], [])),)
        body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    body.append("</table>")
    return "".join(body).encode()


def _latencies(func, count: int) -> list[float]:
    return _interleaved([func], count)[0]


def _interleaved(funcs, rounds: int) -> list[list[float]]:
    """ms per call of each of `funcs`, called in turn `rounds` times after a warm-up; every
    other round in reverse order, so neither always runs right after the other."""
    for func in funcs:
        for _ in range(3):
            func()
    times: list[list[float]] = [[] for _ in funcs]
    for number in range(rounds):
        order = list(enumerate(funcs))
        for index, func in order if number % 2 == 0 else reversed(order):
            started = time.perf_counter()
            func()
            times[index].append((time.perf_counter() - started) * 1000)
    return times


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def national_page_figure(user) -> results.Figure:
    """The same page for the national committee: for information (its unit filter listed every
    unit of the country before the unit picker)."""
    client = web_client(user)
    times = _latencies(lambda: fetch(client, "/collectives/"), max(5, REQUESTS // 4))
    size = len(fetch(client, "/collectives/").content)
    return results.info(
        "collectives page p50, national (Django)",
        results.percentile(times, 0.5),
        "ms",
        note=f"{size / 1024:,.0f} KiB of HTML",
    )


def list_page_figures(user, url_of_db: str) -> list:
    """p50 and p95 of the collectives page of `user`'s subtree, and of the raw handler."""
    client = web_client(user)
    load_before = load_average()
    with psycopg.connect(url_of_db, autocommit=True) as conn:
        django_times, raw_times = _interleaved(
            [
                lambda: fetch(client, "/collectives/"),
                lambda: raw_handler(conn, user.unit.path),
            ],
            REQUESTS,
        )
    note = (
        f"{REQUESTS} requests each, interleaved, {user.unit.name}, "
        f"load average {load_before}–{load_average()}"
    )
    return [
        results.slower(
            "subtree list page p50 (Django vs raw psycopg)",
            results.percentile(django_times, 0.5),
            results.percentile(raw_times, 0.5),
            "ms",
            2.5,
            note=note,
        ),
        results.slower(
            "subtree list page p95 (Django vs raw psycopg)",
            results.percentile(django_times, 0.95),
            results.percentile(raw_times, 0.95),
            "ms",
            3,
            note=note,
        ),
    ]
