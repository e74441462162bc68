"""Legacy import (seeds 000 Q3): an older system's collective list, from .xlsx or CSV, run as a
background job with progress (qnwmh.jobs).

Decisions:
- Rows are checked one by one and stored a chunk of 1,000 at a time (import_chunks.py), each
  chunk in one transaction: a bad row never undoes the good ones (it is reported and left out
  before anything is written), and a job stopped half-way leaves whole chunks of whole records
  only. Every row gets the outcome it would get alone, in file order. Running the same file
  again creates nothing new: a row whose name (canonical or former, by name key) or usable
  legacy code is already known — also from an earlier row of the file — is reported
  "已存在，跳过".
- A row with a name and a unit in the importer's subtree comes in; when it is incomplete or
  badly coded (unusable code, line or ownership missing or unknown) it comes in frozen
  (数据合格 = 否) with its reasons in Chinese — never silently. A row without a name, or whose
  unit is missing, unknown or outside the importer's subtree, is reported and skipped.
- Imported logins have an unusable password (no default passwords, unlike the old system's
  123456) and frozen ones are disabled; the admin issues a one-time password by reset when the
  collective asks. They are created without `accounts.domain.create_account`, whose random
  one-time password would cost an Argon2 hash per row and be thrown away.
- Every problem is reported with its line number: the first 1,000 on the job page, all of them
  in a downloadable CSV.
- The stored upload is read as a stream (a local copy, then csv or openpyxl read-only), so
  memory does not grow with the number of rows (docs/performance.md).
"""

import csv
import io
import itertools
import re
import shutil
import tempfile
import unicodedata
from collections import defaultdict

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import User
from qnwmh.audit.domain import record
from qnwmh.collectives import codes, domain, duplicates, legacy, rules, sources, validators
from qnwmh.collectives.import_chunks import (
    CHUNK,
    CREATED,
    EXISTS,
    FROZEN,
    REJECTED,
    Holder,
    Prepared,
    RowOutcome,
    exists_outcome,
    settle_code,
    stored_outcome,
    write_chunk,
)
from qnwmh.collectives.models import Collective
from qnwmh.collectives.names import name_key
from qnwmh.core.errors import Conflict, Forbidden
from qnwmh.core.spreadsheets import safe_row
from qnwmh.jobs import domain as jobs
from qnwmh.units import paths
from qnwmh.units.models import Unit

PROBLEMS_SHOWN = 1000


def start_import(actor, uploaded) -> "jobs.Job":
    """Check the upload at once (size, kind by its bytes, a header row) so a wrong file is
    refused on the form; the rows are then imported by a background job."""
    if not rules.can_import_collectives(actor):
        raise Forbidden()
    sources.check_size(uploaded.size)
    data = uploaded.read()
    kind = sources.sniff(data)
    header(data, kind)
    source = (uploaded.name or "upload")[:100]
    return jobs.start(
        import_legacy,
        actor=actor,
        title=_("Legacy import: %(name)s") % {"name": source},
        params={"source": source, "kind": kind},
        scope_unit=actor.unit,
        input_file=ContentFile(data),
        input_name=f"legacy-import.{kind}",
    )


def header(data: bytes, kind: str) -> tuple[int, dict[str, int]]:
    """The header row's line and its {field: column}, searched in the first rows (an exported
    list often starts with a title line)."""
    rows = sources.iter_rows(data, kind)
    try:
        for line, cells in itertools.islice(rows, legacy.HEADER_SEARCH_ROWS):
            columns = legacy.find_header(cells)
            if columns:
                return line, columns
    finally:
        rows.close()
    message = _(
        "No header row found: one of the first 10 rows must name the columns, with at least "
        "集体名称 and 归口单位."
    )
    raise sources.FileRejected(message, fields={"file": [message]})


class RowRejected(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def unit_loose_key(name: str) -> str:
    """共青团常德市委员会, 共青团常德市委 and 常德市团委 are one unit to a person."""
    key = name_key(name).removeprefix("共青团")
    for suffix in ("委员会", "团工委", "团委", "工委", "委"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key.removesuffix(suffix)
    return key


class UnitIndex:
    """The importer's subtree in memory, to resolve 归口单位 by name: exact key first, then the
    loose key; "上级单位/单位" settles names that occur twice in the subtree."""

    def __init__(self, root: Unit):
        units = list(Unit.objects.subtree_of(root).only("id", "name", "path", "line"))
        above = Unit.objects.filter(path__in=paths.ancestor_paths(root.path))
        self.by_path = {u.path: u for u in [*units, *above.only("id", "name", "path")]}
        self.by_key: dict[str, list[Unit]] = defaultdict(list)
        self.by_loose: dict[str, list[Unit]] = defaultdict(list)
        self.keys = {
            u.path: (name_key(u.name), unit_loose_key(u.name)) for u in self.by_path.values()
        }
        for unit in units:
            key, loose = self.keys[unit.path]
            self.by_key[key].append(unit)
            self.by_loose[loose].append(unit)
        # A list names a few hundred units thousands of times: each text is resolved once.
        self.resolved: dict[str, Unit | RowRejected] = {}

    def resolve(self, text: str) -> Unit:
        found = self.resolved.get(text)
        if found is None:
            try:
                found = self._resolve(text)
            except RowRejected as exc:
                found = exc
            self.resolved[text] = found
        if isinstance(found, RowRejected):
            raise RowRejected(found.message)
        return found

    def _resolve(self, text: str) -> Unit:
        parts = [p for p in _split_unit_path(text) if name_key(p)]
        if not parts:
            raise RowRejected(
                _("The jurisdiction (归口单位) is missing; the row was not imported.")
            )
        target, above = parts[-1], parts[:-1]
        found = self.by_key.get(name_key(target)) or self.by_loose.get(unit_loose_key(target), [])
        found = [unit for unit in found if all(self._has_ancestor(unit, a) for a in above)]
        if not found:
            raise RowRejected(
                _(
                    "The jurisdiction %(unit)s is not a unit you manage (or is misspelt); "
                    "the row was not imported."
                )
                % {"unit": text}
            )
        if len(found) > 1:
            raise RowRejected(
                _(
                    "%(count)d units you manage are called %(unit)s: write it as "
                    "上级单位/单位; the row was not imported."
                )
                % {"count": len(found), "unit": text}
            )
        return found[0]

    def _has_ancestor(self, unit: Unit, text: str) -> bool:
        key, loose = name_key(text), unit_loose_key(text)
        for path in paths.ancestor_paths(unit.path)[:-1]:
            keys = self.keys.get(path)
            if keys and (keys[0] == key or keys[1] == loose):
                return True
        return False


def _split_unit_path(text: str) -> list[str]:
    return re.split(r"[/>\\|→]", unicodedata.normalize("NFKC", text))


def prepare(row: legacy.LegacyRow, units: UnitIndex) -> Prepared | RowOutcome:
    """A row with its name and unit checked and the rest assessed, or its rejection."""
    try:
        name = _row_name(row)
        unit = units.resolve(row.text("unit"))
    except RowRejected as exc:
        return RowOutcome(REJECTED, [exc.message])
    return Prepared(row.line, name, name_key(name), unit, legacy.assess(row, name, unit))


def import_row(actor, row: legacy.LegacyRow, units: UnitIndex, source: str) -> RowOutcome:
    """One row, atomically: rejected, already there, or created (frozen when incomplete).
    Frozen reasons are stored data: always written in the site's language (Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        prepared = prepare(row, units)
        if isinstance(prepared, RowOutcome):
            return prepared
        return store_row(actor, prepared, source)


def store_row(actor, row: Prepared, source: str) -> RowOutcome:
    """Store one prepared row on its own (the demo data, and a chunk that met a concurrent
    write): a dozen queries, where a chunk needs a few for a thousand rows."""
    existing = _existing(row.name, row.assessed)
    if existing is not None:
        return _exists(existing)
    try:
        with transaction.atomic():
            collective = create_imported(actor, row.assessed, row.unit, f"{source} 第{row.line}行")
    except Conflict:  # the same name came in concurrently
        return _exists(duplicates.holder_of_name(row.name))
    return stored_outcome(collective.frozen_reasons, row.assessed.notes)


def _row_name(row: legacy.LegacyRow) -> str:
    if not row.text("name"):
        raise RowRejected(_("The collective's name is missing; the row was not imported."))
    try:
        return validators.clean_collective_name(row.text("name"))
    except validators.FieldError as exc:
        raise RowRejected(
            _("%(problem)s The row was not imported.") % {"problem": exc.message}
        ) from exc


def _existing(name: str, assessed: legacy.Assessed) -> Collective | None:
    existing = duplicates.holder_of_name(name)
    if existing is None and assessed.usable_code:
        existing = (
            Collective.objects.select_related("unit")
            .filter(legacy_code=assessed.usable_code)
            .first()
        )
    return existing


def _exists(existing: Collective) -> RowOutcome:
    return exists_outcome(Holder(existing.pk, existing.name, existing.code, existing.unit.name))


def create_imported(actor, assessed: legacy.Assessed, unit: Unit, source: str) -> Collective:
    """Store one assessed row with its login (unusable password; disabled while frozen)."""
    code, reasons = settle_code(assessed, domain.code_taken)
    if code is None:
        code = codes.new_unique_code(domain.code_taken)
    data_ok = not reasons
    account = User(
        kind=AccountKind.COLLECTIVE,
        username=code,
        display_name=domain.account_label(assessed.fields["name"]),
        unit=unit,
        created_by=actor,
        must_change_password=True,
        is_active=data_ok,
    )
    account.set_unusable_password()
    account.save()
    record(
        "account.create",
        actor=actor,
        obj=account,
        scope_unit=unit,
        changes={"username": [None, code], "kind": [None, account.kind], "unit": [None, unit.name]},
    )
    collective = domain.insert_collective(
        Collective(
            code=code,
            unit=unit,
            user=account,
            created_by=actor,
            data_ok=data_ok,
            frozen_reasons=reasons,
            legacy_source=source[:200],
            legacy_code=assessed.legacy_code,
            **assessed.fields,
        )
    )
    if assessed.title:
        collective.titles.create(**assessed.title)
    record(
        "collective.import",
        actor=actor,
        obj=collective,
        scope_unit=unit,
        changes={
            "code": [None, code],
            "name": [None, collective.name],
            "data_ok": [None, data_ok],
            "frozen_reasons": [None, collective.frozen_reasons],
            "legacy_source": [None, collective.legacy_source],
        },
    )
    return collective


@jobs.job_handler
def import_legacy(job, progress) -> dict:
    """The job: read the stored upload, import row by row, report every problem by line."""
    with translation.override(settings.LANGUAGE_CODE):
        return _LegacyImport(job, progress).run()


class _LegacyImport:
    def __init__(self, job, progress):
        self.job, self.progress = job, progress
        self.counts = dict.fromkeys([CREATED, FROZEN, EXISTS, REJECTED, "empty", "rows"], 0)
        self.problems: list[dict] = []

    def run(self) -> dict:
        actor = self.job.created_by
        if not rules.can_import_collectives(actor):
            return self._result(_("You may no longer import collectives; nothing was imported."))
        with self.job.input_file.open("rb") as stored, tempfile.TemporaryFile() as handle:
            shutil.copyfileobj(stored, handle)  # a local, seekable copy whatever the storage
            try:
                refused = self._read(actor, handle)
            except sources.FileRejected as exc:
                self.problems.append({"line": 0, "message": exc.message})
                refused = None
        return self._result(refused) if refused else self._finish(actor)

    def _read(self, actor, handle) -> str | None:
        """Import the file; or say why nothing was imported (too many rows)."""
        kind = sources.sniff(handle)
        header_line, columns = header(handle, kind)
        total = sum(1 for line, _cells in sources.iter_rows(handle, kind) if line > header_line)
        if total > sources.MAX_ROWS:
            return _("The file has %(rows)d rows, more than 200,000; nothing was imported.") % {
                "rows": total
            }
        self._import(actor, handle, kind, header_line, columns, total)
        return None

    def _import(self, actor, handle, kind, header_line, columns, total) -> None:
        units = UnitIndex(actor.unit)
        source = self.job.params.get("source", "")
        rows = ((n, cells) for n, cells in sources.iter_rows(handle, kind) if n > header_line)
        for chunk in itertools.batched(rows, CHUNK):
            self._import_chunk(actor, chunk, columns, units, source)
            self.progress(self.counts["rows"], total)

    def _import_chunk(self, actor, chunk, columns, units, source) -> None:
        """Check every row of the chunk, store the good ones together, count in file order."""
        outcomes: list[tuple[int, RowOutcome]] = []
        prepared: list[Prepared] = []
        for line, cells in chunk:
            self.counts["rows"] += 1
            if legacy.is_empty(cells):
                self.counts["empty"] += 1
                continue
            result = prepare(legacy.LegacyRow.from_cells(line, cells, columns), units)
            if isinstance(result, RowOutcome):
                outcomes.append((line, result))
            else:
                prepared.append(result)
        stored = write_chunk(actor, prepared, source, self.job) if prepared else []
        if stored is None:  # a name or code came in concurrently: row by row, as before
            stored = [store_row(actor, row, source) for row in prepared]
        outcomes += zip((row.line for row in prepared), stored, strict=True)
        for line, outcome in sorted(outcomes, key=lambda pair: pair[0]):
            self._count(line, outcome)

    def _count(self, line: int, outcome: RowOutcome) -> None:
        self.counts[outcome.kind] += 1
        if outcome.kind == FROZEN:
            self.counts[CREATED] += 1
        self.problems += [{"line": line, "message": message} for message in outcome.messages]

    def _finish(self, actor) -> dict:
        counts = self.counts
        summary = (
            _(
                "%(rows)d rows read: %(created)d collectives created (%(frozen)d of them frozen), "
                "%(exists)d already existed and were skipped, %(rejected)d not imported, "
                "%(empty)d empty."
            )
            % counts
        )
        if self.problems:
            jobs.attach_output(self.job, "导入问题清单.csv", _problems_csv(self.problems))
        record(
            "collective.import_finished",
            actor=actor,
            obj=self.job,
            scope_unit=actor.unit,
            changes={"counts": [None, counts]},
        )
        return self._result(summary)

    def _result(self, summary: str) -> dict:
        return {
            "summary": summary,
            "problems": self.problems[:PROBLEMS_SHOWN],
            "problems_total": len(self.problems),
            "counts": self.counts,
        }


def _problems_csv(problems: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Line number"), _("Problem")])
    for problem in problems:
        writer.writerow(safe_row([problem["line"], problem["message"]]))
    return out.getvalue().encode("utf-8-sig")
