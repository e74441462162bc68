"""Dashboard counts (docs/performance.md §1): the app's own path — qnwmh/reporting/progress.py
`_counts` on the registrations' subtree count table — against the live GROUP BY over the
subtree that it replaced, for each unit, with equal numbers checked; and what keeping the table
costs: the full rebuild and the check that ops run."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import results, sql_cases
from bench.results import Figure
from bench.sql_figures import timed
from qnwmh.registrations import counts
from qnwmh.reporting.progress import _counts


def _fetch(sql: str, params=None) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _normalized(rows) -> dict:
    """{path: (registered, approved, non_public, previous_title)} without empty rows."""
    found = {row[0]: tuple(int(v or 0) for v in row[1:5]) for row in rows}
    return {path: numbers for path, numbers in found.items() if any(numbers)}


def _app(cycle, unit) -> dict:
    found = _counts(cycle, unit)
    return _normalized(
        [
            (path, c["registered"], c["approved"], c["non_public"], c["previous_title"])
            for path, c in found.items()
        ]
    )


def _app_sql(cycle, unit) -> str:
    """The count query exactly as `_counts` sends it."""
    with CaptureQueriesContext(connection) as captured:
        _counts(cycle, unit)
    (query,) = captured.captured_queries
    return query["sql"]


def dashboard_figures(units: list, cycle) -> list[Figure]:
    """Per unit: the app's `_counts` (its query on the table and the Python that derives the
    unit's own row) against the live GROUP BY it replaced, and its SQL alone for information;
    then the rebuild and the check."""
    figures = []
    for label, unit in units:
        live_sql, live_params = sql_cases.live_counts_sql(unit.path, cycle.pk)
        live = _normalized(_fetch(live_sql, live_params))
        baseline = timed([(live_sql, live_params)])
        equal = _app(cycle, unit) == live
        figure = results.faster(
            f"dashboard counts, {label} (app: _counts on the subtree count table)",
            results.median_ms(lambda u=unit: _counts(cycle, u), 9),
            baseline,
            "ms",
            50,
            note="query and Python; baseline: the live GROUP BY; "
            + ("equal numbers" if equal else "NUMBERS DIFFER"),
        )
        if not equal:
            figure.met = False
        figures.append(figure)
        figures.append(
            results.info(
                f"dashboard counts, {label} (its SQL alone)",
                timed([(_app_sql(cycle, unit), None)]),
                "ms",
                baseline=baseline,
                note="ratio = this / the live GROUP BY",
            )
        )
    figures.append(_timed_once("rebuild_registration_counts, every cycle", counts.rebuild))
    differences = []
    figures.append(
        _timed_once(
            "rebuild_registration_counts --check, every cycle",
            lambda: differences.extend(counts.differences()),
        )
    )
    figures[-1].note = f"{len(differences)} differences"
    if differences:
        figures[-1].met = False
    return figures


def _timed_once(name: str, func) -> Figure:
    return results.info(name, results.median_ms(func, repeat=1, warmup=0) / 1000, "s")
