"""Import and export figures, each run in a fresh subprocess so its peak memory is its own:
`python -m bench.transfer KIND ROWS` prints {"rows", "seconds", "cpu_seconds", "peak_mb"} as
JSON.

KIND: export-app (the 汇总表 Excel export of qnwmh.registrations.exports), export-csv-app (its
CSV export), excel-baseline (xlsxwriter alone, in memory, the same cells), csv-baseline
(psycopg + csv.writer by hand, the same file),
import-app (the legacy import job of qnwmh.collectives.imports), copy-baseline (COPY of the same
rows). Imports run inside a transaction that is rolled back: the data set stays as generated.
"""

import csv
import hashlib
import io
import json
import os
import random
import resource
import sys
import tempfile
import time

import django

IMPORT_HEADER = [
    "集体名称",
    "集体编码/用户名",
    "归口单位",
    "条块",
    "行业",
    "性质",
    "号长",
    "联系电话",
]
IMPORT_UNITS = 500  # the units the legacy rows belong to


def _peak_mb() -> float:
    """This process's own peak RSS. Not ru_maxrss: Linux carries the parent's peak over fork and
    exec, so every figure would show bench.run's own (it may have just generated the data)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _national():
    from qnwmh.accounts.models import User
    from qnwmh.cycles.models import Cycle
    from qnwmh.units.models import Unit

    root = Unit.objects.get(parent=None)
    cycle = Cycle.objects.order_by("-registration_closes").first()
    return User.objects.select_related("unit").get(kind="ADMIN", unit=root), cycle, root


def export_app(rows: int, kind: str = "xlsx") -> dict:
    """The job's own path: summary_rows → write_table (SummaryTable chunks → write_xlsx /
    write_csv, core/tables.py), outside a transaction as in a worker."""
    from django.utils import translation

    from qnwmh.core import tables
    from qnwmh.registrations import exports

    actor, cycle, root = _national()
    with translation.override("zh-hans"), tempfile.NamedTemporaryFile(suffix=f".{kind}") as out:
        queryset = exports.summary_rows(actor, cycle, root)[:rows]
        table = exports.SummaryTable()
        tables.write_table(out.name, kind, table, queryset, lambda done, total=None: None, rows)
        return {"sha256": _digest(out.name)}


# The 申报集体汇总表 by hand: every registration of the cycle (the national admin's export),
# its titles on record aggregated in the same query, oldest first.
SUMMARY_SQL = """
SELECT c.name, u.name,
  (SELECT json_agg(json_build_array(t.level, t.year, t.name) ORDER BY t.year, t.id)::text
   FROM collectives_title t WHERE t.collective_id = r.collective_id AND t.revoked_at IS NULL),
  r.state
FROM registrations_registration r
JOIN collectives_collective c ON c.id = r.collective_id
JOIN units_unit u ON u.id = r.unit_id
WHERE r.cycle_id = %s
  AND r.state IN ('submitted', 'pre_approved', 'approved', 'nominated', 'publicized', 'named',
                  'not_named')
ORDER BY u.name, r.unit_id, c.name, r.id LIMIT %s"""
TRIGGERS = frozenset("=+-@\t\r")


class HandTable:
    """The table's cells written by hand: the Chinese labels looked up once, the title cell of
    each (titles on record, titles declared) pair made once."""

    def __init__(self):
        from django.utils import translation

        from qnwmh.cycles.enums import Level
        from qnwmh.registrations.enums import REGISTERED, RegistrationState

        with translation.override("zh-hans"):
            self.states = {value: str(label) for value, label in RegistrationState.choices}
            self.levels = {value: str(label) for value, label in Level.choices}
        self.registered = {s: "是" if s in REGISTERED else "否" for s in self.states}
        self.title_cells: dict[str | None, str] = {}
        self.number = 0

    def row(self, name, unit, held, state) -> list:
        """The xlsx cells (unguarded: text cells; the CSV guards them, `safe_cells`)."""
        self.number += 1
        if held is None:
            titles = ""
        else:
            titles = self.title_cells.get(held)
            if titles is None:
                titles = self.title_cells[held] = self.titles(held)
        return [self.number, name, unit, titles, self.registered[state], self.states[state]]

    def titles(self, held: str) -> str:
        keys = [tuple(t) for t in json.loads(held)]
        return "；".join(
            f"{name or '青年文明号'}（{self.levels.get(level, level)}，{year} 年）"
            for level, year, name in dict.fromkeys(keys)
        )


def safe_cells(row: list) -> list:
    return [safe(cell) if isinstance(cell, str) else cell for cell in row]


def safe(text: str) -> str:
    return "'" + text if text[:1] in TRIGGERS else text


def _summary_values(rows: int) -> list[list]:
    from django.db import connection

    _actor, cycle, _root = _national()
    table = HandTable()
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SQL, [cycle.pk, rows])
        return [table.row(*row) for row in cursor.fetchall()]


def excel_baseline(rows: int, values=None) -> float:
    import xlsxwriter

    values = values if values is not None else _summary_values(rows)
    started = time.perf_counter()
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("汇总表")
    sheet.write_row(0, 0, SUMMARY_HEADER)
    for number, row in enumerate(values, start=1):
        sheet.write_row(number, 0, row)
    workbook.close()
    return time.perf_counter() - started


SUMMARY_HEADER = ["序号", "集体名称", "归口单位", "所获称号及时间", "是否网上报备", "状态"]


def csv_baseline(rows: int) -> dict:
    """The same file as the app's CSV export, by hand: one query on a psycopg server-side cursor
    in a transaction (no WITH HOLD), 5,000 rows per fetch, csv.writer."""
    from django.db import connection

    _actor, cycle, _root = _national()
    table = HandTable()
    connection.ensure_connection()
    raw = connection.connection
    with tempfile.NamedTemporaryFile("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(SUMMARY_HEADER)
        with raw.transaction(), raw.cursor(name="bench_csv") as cursor:
            cursor.itersize = 5000
            cursor.execute(SUMMARY_SQL, [cycle.pk, rows])
            row = table.row
            writer.writerows(safe_cells(row(*values)) for values in cursor)
        out.flush()
        return {"sha256": _digest(out.name)}


def legacy_file(rows: int) -> bytes:
    """A legacy list of `rows` new collectives of units across the country (UTF-8 CSV)."""
    from bench import names
    from qnwmh.units.models import Unit

    rng = random.Random(5)
    units = list(
        Unit.objects.filter(tier__gte=2)
        .exclude(name__contains="（")
        .select_related("parent")
        .order_by("id")[:IMPORT_UNITS]
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_HEADER)
    for number in range(rows):
        unit = units[number % len(units)]
        name = f"{names.collective_name(rng, unit.name.removesuffix('团委'))}导入{number}组"
        line = "地方" if unit.line == "REGION" else "行业"
        unit_text = f"{unit.parent.name}/{unit.name}"
        industry = rng.choice(names.INDUSTRIES)
        leader, phone = names.person_name(rng), names.phone_number(rng)
        writer.writerow([name, f"lg{number:08d}", unit_text, line, industry, "公有", leader, phone])
    return out.getvalue().encode("utf-8")


def import_app(rows: int, data: bytes) -> int:
    from django.core.files.base import ContentFile
    from django.db import transaction

    from qnwmh.collectives.imports import import_legacy
    from qnwmh.jobs import domain as jobs
    from qnwmh.jobs.models import Job

    actor, _cycle, _root = _national()
    with transaction.atomic():
        job = jobs.start(
            import_legacy,
            actor=actor,
            title="bench import",
            params={"source": "bench.csv", "kind": "csv"},
            input_file=ContentFile(data),
            input_name="bench.csv",
        )
        jobs.run(job.pk)
        job = Job.objects.get(pk=job.pk)
        transaction.set_rollback(True)
    counts = (job.result or {}).get("counts", {})
    if counts.get("created", 0) + counts.get("rejected", 0) != rows:
        raise RuntimeError(f"the import handled {counts} of {rows} rows")
    return counts.get("created", 0)


def copy_baseline(rows: int, data: bytes) -> int:
    """COPY the same rows (account + collective) after the least parsing that gets there."""
    from django.db import connection, transaction

    from qnwmh.accounts.models import User
    from qnwmh.collectives.names import loose_key, name_key
    from qnwmh.units.models import Unit

    units = {
        f"{u.parent.name}/{u.name}": u
        for u in Unit.objects.filter(parent__isnull=False).select_related("parent")
    }
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    next(reader)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM accounts_user")
        (next_user,) = cursor.fetchone()
        users, collectives = [], []
        for number, row in enumerate(reader):
            unit = units[row[2]]
            code = row[1]
            user_id = next_user + number + 1
            users.append((user_id, row[1], row[0], "COLLECTIVE", unit.pk, "!x", True, True))
            collectives.append(
                (
                    code,
                    row[0],
                    name_key(row[0]),
                    loose_key(row[0]),
                    unit.pk,
                    unit.path,
                    unit.line,
                    row[4],
                    "PUBLIC",
                    user_id,
                    code,
                    row[6],
                    row[7],
                )
            )
        user_columns = (
            "id, username, display_name, kind, unit_id, password, is_active,"
            " must_change_password, created_at"
        )
        # Columns other apps add later with a default (e.g. accounts' admin_role) get it.
        extra = _defaults_of(User, user_columns)
        with cursor.cursor.copy(
            f"COPY accounts_user ({user_columns}{''.join(', ' + c for c in extra)}) FROM STDIN"
        ) as copy:
            for user in users:
                copy.write_row((*user, "2026-01-01 00:00:00+00", *extra.values()))
        with cursor.cursor.copy(
            "COPY collectives_collective (code, name, name_key, loose_key, unit_id, unit_path,"
            " line, industry, ownership, user_id, legacy_code, leader_name, phone, data_ok,"
            " frozen_reasons, legacy_source, created_at) FROM STDIN"
        ) as copy:
            for collective in collectives:
                copy.write_row((*collective, True, "[]", "", "2026-01-01 00:00:00+00"))
        transaction.set_rollback(True)
    return rows


def _defaults_of(model, listed: str) -> dict:
    """{column: default} of the model's NOT NULL columns with a default that `listed` lacks."""
    named = {name.strip() for name in listed.split(",")}
    return {
        field.column: field.get_default()
        for field in model._meta.concrete_fields
        if field.column not in named and not field.null and field.has_default()
    }


def insert_rates(rows: int) -> dict:
    """Rows per second of COPY, bulk_create and save() of the same former-name rows (a small
    table with one foreign key), each rolled back."""
    from django.db import connection, transaction

    from bench.writer import TableWriter
    from qnwmh.collectives.models import FormerName

    def made():
        return [
            FormerName(collective_id=1 + i % 1000, name=f"曾用名{i}", name_key=f"曾用名{i}")
            for i in range(rows)
        ]

    def copy_rows():
        writer = TableWriter(FormerName, explicit_ids=False)
        now = "2026-01-01 00:00:00+00"
        writer.write(
            {"collective_id": 1 + i % 1000, "name": f"曾用名{i}", "name_key": f"曾用名{i}",
             "replaced_at": now}
            for i in range(rows)
        )  # fmt: skip

    def bulk():
        FormerName.objects.bulk_create(made(), batch_size=1000)

    def each():
        for former in made()[: max(1, rows // 10)]:
            former.save()

    found = {}
    for name, func, count in (("copy", copy_rows, rows), ("bulk_create", bulk, rows),
                              ("save", each, max(1, rows // 10))):  # fmt: skip
        with transaction.atomic():
            started = time.perf_counter()
            func()
            connection.cursor().execute("SELECT 1")
            found[name] = count / (time.perf_counter() - started)
            transaction.set_rollback(True)
    return found


def main(kind: str, rows: int) -> dict:
    """Run one figure; its rows, wall and CPU seconds, peak memory, and for the CSV exports the
    SHA-256 of the file (the app's and the baseline's must be equal)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qnwmh.settings")
    django.setup()
    # What a worker has loaded before a job starts is loaded before the clock, for both sides.
    from qnwmh.collectives import imports  # noqa: F401
    from qnwmh.core import tables  # noqa: F401
    from qnwmh.registrations import exports  # noqa: F401

    data = legacy_file(rows) if kind in ("import-app", "copy-baseline") else None
    values = _summary_values(rows) if kind == "excel-baseline" else None
    _national()
    found: dict = {"rows": rows}
    started, cpu = time.perf_counter(), _cpu_seconds()
    if kind == "export-app":
        found |= export_app(rows)
    elif kind == "export-csv-app":
        found |= export_app(rows, "csv")
    elif kind == "excel-baseline":  # the writer alone: the values are made before the clock
        found |= {"rows": len(values), "seconds": excel_baseline(rows, values)}
    elif kind == "csv-baseline":
        found |= csv_baseline(rows)
    elif kind == "insert-rates":
        return insert_rates(rows)
    elif kind == "import-app":
        found["created"] = import_app(rows, data)
    elif kind == "copy-baseline":
        copy_baseline(rows, data)
    else:
        raise SystemExit(f"unknown kind {kind}")
    found.setdefault("seconds", time.perf_counter() - started)
    return found | {"cpu_seconds": _cpu_seconds() - cpu, "peak_mb": _peak_mb()}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
