"""`make bench`: the figures of issue 5 on the benchmark's own PostgreSQL database, each next
to its baseline measured in the same run; a table on stdout and bench/results.json.

    BENCH_COLLECTIVES=100000 make bench     # the same at a smaller size (units = collectives/20)

Environment: BENCH_DATABASE_URL (a database whose name ends in _bench; created, and refilled
when its size differs), BENCH_COLLECTIVES (1,000,000), BENCH_SEED (1), BENCH_IMPORT_ROWS
(1,000: the legacy import runs row by row, see docs/performance.md), BENCH_REQUESTS (60),
BENCH_FIGURES (all of: sql, dashboard, search, counts, pages, transfer), BENCH_RESULTS (the
JSON file, bench/results.json), BENCH_TRANSFER_REPEAT (3: rounds of each export and import
figure against its baseline, alternated).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
# Groups of figures; BENCH_FIGURES=search,counts runs only those.
GROUPS = ("sql", "dashboard", "search", "counts", "pages", "transfer")


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _subprocess(kind: str, rows: int, media: str) -> dict:
    env = {**os.environ, "MEDIA_ROOT": media}
    done = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "bench.transfer", kind, str(rows)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.transfer {kind} {rows} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def alternated(run, kinds: list[str], rows: int, repeat: int) -> dict[str, dict]:
    """Run the kinds in turn, `repeat` rounds (app, baseline, app, baseline, …), so load that
    comes and goes on a shared machine falls on both alike; per kind the run of median time,
    with the range of times, the median CPU time, the highest peak memory and the load average
    (1 minute) seen before each run."""
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    for _round in range(repeat):
        for kind in kinds:
            load = os.getloadavg()[0]
            runs[kind].append(run(kind, rows) | {"load": load})
    found = {}
    for kind, done in runs.items():
        ordered = sorted(done, key=lambda r: r["seconds"])
        found[kind] = ordered[len(ordered) // 2] | {
            "seconds_range": (ordered[0]["seconds"], ordered[-1]["seconds"]),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in done),
            "peak_mb": max(r["peak_mb"] for r in done),
            "loads": [r["load"] for r in done],
        }
    return found


def _how(app: dict, baseline: dict, repeat: int) -> str:
    loads = app["loads"] + baseline["loads"]
    return (
        f"median of {repeat} alternated runs; s app {_span(app)}, baseline {_span(baseline)};"
        f" CPU s app {app['cpu_seconds']:.1f}, baseline {baseline['cpu_seconds']:.1f};"
        f" load {min(loads):.1f}–{max(loads):.1f}"
    )


def _span(found: dict) -> str:
    low, high = found["seconds_range"]
    return f"{low:.2f}–{high:.2f}"


def transfer_figures(cycle, import_rows: int) -> list:
    from bench import results
    from qnwmh.registrations.models import Registration

    figures = []
    repeat = _env("BENCH_TRANSFER_REPEAT", 3)
    export_rows = min(100_000, Registration.objects.filter(cycle=cycle).count())
    with tempfile.TemporaryDirectory() as media:
        run = lambda kind, rows: _subprocess(kind, rows, media)  # noqa: E731
        excel = alternated(run, ["export-app", "excel-baseline"], export_rows, repeat)
        export, writer = excel["export-app"], excel["excel-baseline"]
        export_small = run("export-app", export_rows // 10)
        figures.append(
            results.rate(
                f"Excel export of {export_rows:,} rows (汇总表)",
                export_rows / export["seconds"],
                writer["rows"] / writer["seconds"],
                "rows/s",
                0.85,
                note="baseline: xlsxwriter alone, in memory, the same cells; "
                + _how(export, writer, repeat),
            )
        )
        csvs = alternated(run, ["export-csv-app", "csv-baseline"], export_rows, repeat)
        csv_app, csv_rows = csvs["export-csv-app"], csvs["csv-baseline"]
        if csv_app["sha256"] != csv_rows["sha256"]:
            raise RuntimeError("the CSV baseline did not write the app's file")
        csv_app_small = run("export-csv-app", export_rows // 10)
        figures.append(
            results.rate(
                f"CSV export of {export_rows:,} rows (汇总表)",
                export_rows / csv_app["seconds"],
                export_rows / csv_rows["seconds"],
                "rows/s",
                0.8,
                note="baseline: psycopg (server-side cursor) + csv.writer, the same file (equal"
                " SHA-256); " + _how(csv_app, csv_rows, repeat),
            )
        )
        imports = alternated(run, ["import-app", "copy-baseline"], import_rows, repeat)
        imported, copied = imports["import-app"], imports["copy-baseline"]
        imported_small = run("import-app", max(1, import_rows // 10))
        figures.append(
            results.rate(
                f"validated legacy import of {import_rows:,} rows",
                import_rows / imported["seconds"],
                import_rows / copied["seconds"],
                "rows/s",
                0.5,
                note=f"{imported['created']:,} created; baseline: COPY of the same rows; "
                + _how(imported, copied, repeat),
            )
        )
        figures += [
            results.slower(
                f"export peak memory, {export_rows:,} vs {export_rows // 10:,} rows",
                export["peak_mb"],
                export_small["peak_mb"],
                "MB",
                1.5,
                note="peak RSS of a fresh process (Django included)",
            ),
            results.slower(
                f"CSV export peak memory, {export_rows:,} vs {export_rows // 10:,} rows",
                csv_app["peak_mb"],
                csv_app_small["peak_mb"],
                "MB",
                1.5,
                note="peak RSS of a fresh process (Django included)",
            ),
            results.slower(
                f"import peak memory, {import_rows:,} vs {max(1, import_rows // 10):,} rows",
                imported["peak_mb"],
                imported_small["peak_mb"],
                "MB",
                1.5,
                note="peak RSS of a fresh process (Django included)",
            ),
        ]
        rates = run("insert-rates", 5000)
        figures += [
            results.info(f"insert rate: {name}", value, "rows/s", note="5,000 former names")
            for name, value in rates.items()
        ]
    return figures


def count_figures(p) -> list:
    from django.db import connection

    from bench import results, sql_cases
    from qnwmh.core import paths

    figures = []
    for label, user in (("national", p.national), ("province", p.province), ("county", p.county)):
        low, high = paths.subtree_range(user.unit.path)

        def count(low=low, high=high):
            with connection.cursor() as cursor:
                cursor.execute(sql_cases.COLLECTIVE_COUNT, [low, high])
                return cursor.fetchone()[0]

        figures.append(
            results.info(
                f"exact COUNT(*) of the collectives subtree, {label}",
                results.median_ms(count),
                "ms",
                note=f"{count():,} rows (what Paginator runs on every page)",
            )
        )
    return figures


def main() -> int:
    from bench import database

    collectives = _env("BENCH_COLLECTIVES", 1_000_000)
    url = database.bench_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qnwmh.settings")
    django.setup()

    from bench import dashboard, pages, proposals, results, sql_figures

    started = time.perf_counter()
    figures = []
    generated = database.prepare(url, collectives, _env("BENCH_SEED", 1), print)
    if generated is not None:
        figures.append(results.info("generate_national", generated, "s"))
    p = database.personas()
    print(f"Personas: {p.national.unit.name} / {p.province.unit.name} / {p.county.unit.name}")
    word = sql_figures.search_word(p)
    case_list = sql_figures.cases(p, word)
    captured: dict[str, list[str]] = {}
    groups = os.environ.get("BENCH_FIGURES", ",".join(GROUPS)).split(",")
    if "sql" not in groups:
        case_list = [
            case for case in case_list if "dashboard" in case.name or "search" in case.name
        ]
    if "sql" in groups or "dashboard" in groups:
        selected = [case for case in case_list if "sql" in groups or "dashboard" in case.name]
        figures += sql_figures.orm_vs_hand(selected, sql_figures.Clients(), captured)
    if "dashboard" in groups:
        figures += dashboard.dashboard_figures(
            [
                ("national", p.national.unit),
                ("province", p.province.unit),
                ("county", p.county.unit),
            ],
            p.cycle,
        )
    if "search" in groups:
        search_case = next(case for case in case_list if "collectives search" in case.name)
        app_sql = captured.get(search_case.name) or data_queries_of(search_case)
        two_chars = sql_cases_for_two(p, word)
        figures += proposals.search_figures(app_sql, search_case, two_chars)
    if "counts" in groups:
        figures += count_figures(p)
    if "pages" in groups:
        figures += pages.list_page_figures(p.province, url)
        figures.append(pages.national_page_figure(p.national))
    if "transfer" in groups:
        figures += transfer_figures(p.cycle, _env("BENCH_IMPORT_ROWS", 1_000))
    for figure in figures:
        figure.note = f"{collectives:,} collectives; {figure.note}".rstrip("; ")
    print(results.table(figures))
    path = Path(os.environ.get("BENCH_RESULTS", results.RESULTS))
    results.write(figures, path)
    print(f"\n{len(figures)} figures in {time.perf_counter() - started:.0f} s → {path}")
    return 0


def data_queries_of(case) -> list[str]:
    from bench.clients import data_queries
    from bench.sql_figures import Clients

    return data_queries(Clients().for_case(case), case.url)


def sql_cases_for_two(p, word: str):
    from bench import sql_cases
    from qnwmh.collectives.names import name_key

    return sql_cases.collective_search("", "", p.national, name_key(word[:2]))


if __name__ == "__main__":
    sys.exit(main())
