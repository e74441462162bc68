"""`make surge`: the deadline surge of issue 5 against the loopback cluster (`make cluster`:
nginx → two gunicorn app servers → PostgreSQL, Redis): prepare the collectives and admin
sessions (bench/surge/prepare.py), run locust headless (bench/surge/locustfile.py), and add
the figures to bench/results.json (its "deadline surge" rows are replaced, others kept).

    make cluster && SURGE_SECONDS=120 make surge

Environment: SURGE_SECONDS (600, the issue's 10 minutes), SURGE_USERS (200), SURGE_RATE
(submissions/s aimed at, 50), SURGE_SPAWN_RATE (users started per second, 20), SURGE_URL
(http://127.0.0.1:8100), BENCH_RESULTS (bench/results.json). Locust's own files go to
var/cluster/surge/.

The goal (issue 5): 0 errors, p95 ≤ 200 ms and p99 ≤ 500 ms for the submissions, the lists
still fast (here: their p95 ≤ 500 ms under the surge).
"""

import csv
import json
import math
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import results

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_DIR = ROOT / "var" / "cluster"
OUT_DIR = CLUSTER_DIR / "surge"
SUBMIT, DRAFT = "collective: submit", "collective: save draft"
ADMIN_PREFIX = "admin: "
PREFIX = "deadline surge: "


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "") or default


def _cluster_env() -> dict:
    """The cluster's own environment (var/cluster/env, written by deploy/cluster)."""
    env_file = CLUSTER_DIR / "env"
    if not env_file.exists():
        raise SystemExit("surge: the cluster is not set up: make cluster")
    lines = env_file.read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if "=" in line and line[0] != "#")
    return {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(ROOT), **values}


def _check_cluster(url: str) -> None:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:  # noqa: S310
            assert answer.status == 200
    except Exception as exc:
        raise SystemExit(
            f"surge: the cluster does not answer at {url} ({exc}): make cluster"
        ) from exc


def prepare(collectives: int) -> Path:
    people = OUT_DIR / "people.json"
    command = [sys.executable, "-m", "bench.surge.prepare", "--collectives", str(collectives)]
    subprocess.run(  # noqa: S603 (this interpreter, our module)
        [*command, "--out", str(people)],
        cwd=ROOT,
        env=_cluster_env(),
        check=True,
    )
    return people


def run_locust(url: str, people: Path, users: int, spawn_rate: int, seconds: int) -> None:
    locust = Path(sys.executable).parent / "locust"
    command = [
        str(locust),
        "-f",
        str(ROOT / "bench" / "surge" / "locustfile.py"),
        "--headless",
        "--host",
        url,
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(OUT_DIR / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "SURGE_PEOPLE": str(people)}
    # Locust exits 1 when any request failed: the figures say so, the run goes on.
    subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603


def _stats() -> dict[str, dict]:
    with open(OUT_DIR / "locust_stats.csv", newline="", encoding="utf-8") as file:
        return {row["Name"]: row for row in csv.DictReader(file)}


def _ms(row: dict, column: str) -> float | None:
    value = row.get(column, "N/A")
    return None if value in ("", "N/A") else float(value)


def figures(stats: dict[str, dict], seconds: float, rate: float, load: str) -> list:
    total = stats["Aggregated"]
    requests, errors = int(total["Request Count"]), int(total["Failure Count"])
    submit = stats.get(SUBMIT, {})
    submitted = int(submit.get("Request Count", 0)) - int(submit.get("Failure Count", 0))
    note = f"{seconds:.0f} s, load average {load}"
    rows = [
        results.info(PREFIX + "requests", requests, "requests", note),
        results.Figure(
            PREFIX + "errors", errors, "requests", None, None, "0", errors == 0, _errors()
        ),
        results.rate(
            PREFIX + "submissions per second",
            submitted / seconds,
            rate,
            "submissions/s",
            1.0,
            note=f"baseline: the rate aimed at; {submitted:,} submitted",
        ),
    ]
    for name, label in ((SUBMIT, "submit"), (DRAFT, "save draft")):
        if name in stats:
            rows += _percentiles(stats[name], label, limits=(200, 500))
    admin = [row for name, row in stats.items() if name.startswith(ADMIN_PREFIX)]
    for row in admin:
        rows += _percentiles(row, row["Name"], limits=(500, 1000))
    return rows


def _percentiles(row: dict, label: str, limits: tuple[int, int]) -> list:
    p50, p95, p99 = (_ms(row, c) for c in ("50%", "95%", "99%"))
    count = f"{int(row['Request Count']):,} requests"
    return [
        results.info(f"{PREFIX}{label} p50", p50, "ms", count),
        _at_most(f"{PREFIX}{label} p95", p95, limits[0], count),
        _at_most(f"{PREFIX}{label} p99", p99, limits[1], count),
    ]


def _at_most(figure: str, value: float | None, limit: int, note: str) -> results.Figure:
    met = None if value is None else value <= limit
    return results.Figure(figure, value, "ms", None, None, f"≤ {limit} ms", met, note)


def _errors() -> str:
    path = OUT_DIR / "locust_failures.csv"
    if not path.exists():
        return ""
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return "; ".join(f"{r['Occurrences']}× {r['Name']}: {r['Error'][:120]}" for r in rows[:3])


def write(rows: list, path: Path) -> None:
    """Replace the surge's rows of the results file, keep the others."""
    kept = []
    if path.exists():
        kept = [r for r in json.loads(path.read_text()) if not r["figure"].startswith(PREFIX)]
    kept_figures = [results.Figure(**r) for r in kept]
    results.write(kept_figures + rows, path)


def main() -> int:
    url = _env("SURGE_URL", "http://127.0.0.1:8100").rstrip("/")
    seconds = int(_env("SURGE_SECONDS", "600"))
    users = int(_env("SURGE_USERS", "200"))
    rate = float(_env("SURGE_RATE", "50"))
    spawn_rate = int(_env("SURGE_SPAWN_RATE", "20"))
    _check_cluster(url)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    people = prepare(math.ceil(rate * seconds * 1.1) + 200)
    print(f"== locust: {users} users, {rate:g} submissions/s aimed at, {seconds} s on {url}")
    started = time.monotonic()
    run_locust(url, people, users, spawn_rate, seconds)
    elapsed = time.monotonic() - started
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = figures(_stats(), min(elapsed, seconds), rate, load)
    write(rows, Path(_env("BENCH_RESULTS", str(results.RESULTS))))
    print(results.table(rows))
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
