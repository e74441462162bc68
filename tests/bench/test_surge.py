"""bench/surge/run.py: locust's statistics become rows of bench/results.json, judged against
the issue's goals, and a run replaces only the surge's own rows."""

import json

from bench import results
from bench.surge import run


def _row(name: str, count: int, failures: int, p50: str, p95: str, p99: str) -> dict:
    return {
        "Name": name,
        "Request Count": str(count),
        "Failure Count": str(failures),
        "50%": p50,
        "95%": p95,
        "99%": p99,
    }


STATS = {
    run.DRAFT: _row(run.DRAFT, 3000, 0, "40", "120", "300"),
    run.SUBMIT: _row(run.SUBMIT, 3000, 0, "35", "150", "450"),
    "admin: review queue (awaiting me)": _row(
        "admin: review queue (awaiting me)", 90, 0, "80", "600", "900"
    ),
    "Aggregated": _row("Aggregated", 6090, 0, "40", "150", "450"),
}


def _by_figure(rows) -> dict:
    return {row.figure.removeprefix(run.PREFIX): row for row in rows}


def test_surge_figures_judge_rate_errors_and_percentiles():
    rows = _by_figure(run.figures(STATS, seconds=60, rate=50, load="1.0 1.0 1.0"))
    assert (rows["requests"].value, rows["errors"].value, rows["errors"].met) == (6090, 0, True)
    rate = rows["submissions per second"]
    assert (rate.value, rate.baseline, rate.met) == (50.0, 50, True)
    assert (rows["submit p95"].value, rows["submit p95"].met) == (150.0, True)
    assert (rows["submit p99"].goal, rows["submit p99"].met) == ("≤ 500 ms", True)
    assert rows["admin: review queue (awaiting me) p95"].met is False  # 600 ms > 500 ms


def test_surge_figures_count_only_successful_submissions():
    stats = {**STATS, run.SUBMIT: _row(run.SUBMIT, 3000, 600, "35", "150", "450")}
    stats["Aggregated"] = _row("Aggregated", 6090, 600, "40", "150", "450")
    rows = _by_figure(run.figures(stats, seconds=60, rate=50, load="1.0 1.0 1.0"))
    assert (rows["submissions per second"].value, rows["errors"].met) == (40.0, False)


def test_surge_results_replace_only_the_surge_rows(tmp_path):
    path = tmp_path / "results.json"
    other = results.info("dashboard counts", 1.5, "ms")
    results.write([other, results.info(run.PREFIX + "requests", 1, "requests")], path)
    run.write([results.info(run.PREFIX + "requests", 2, "requests")], path)
    rows = json.loads(path.read_text())
    assert [(r["figure"], r["value"]) for r in rows] == [
        ("dashboard counts", 1.5),
        (run.PREFIX + "requests", 2),
    ]
