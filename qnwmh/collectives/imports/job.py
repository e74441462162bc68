"""Running the legacy import as a background job (qnwmh.jobs): the upload checked on the form,
then read, checked and stored a chunk at a time, with progress and a report."""

import itertools
import shutil
import tempfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qnwmh.audit.domain import record
from qnwmh.collectives import rules
from qnwmh.collectives.imports import rows as legacy
from qnwmh.collectives.imports import sources
from qnwmh.collectives.imports.chunks import (
    CHUNK,
    CREATED,
    EXISTS,
    FROZEN,
    REJECTED,
    Prepared,
    RowOutcome,
    write_chunk,
)
from qnwmh.collectives.imports.report import PROBLEMS_SHOWN, problems_csv
from qnwmh.collectives.imports.store import prepare, store_row
from qnwmh.collectives.imports.units import UnitIndex
from qnwmh.collectives.models import ImportChunk
from qnwmh.core.errors import Forbidden
from qnwmh.jobs import domain as jobs

# Up to this many lines an import may run right after the request when there is no Celery
# worker (a few seconds); a larger one always runs in the background (jobs.domain.start).
INLINE_ROWS = 2000


def start_import(actor, uploaded) -> "jobs.Job":
    """Check the upload at once (size, kind by its bytes, a header row) so a wrong file is
    refused on the form; the rows are then imported by a background job."""
    if not rules.can_import_collectives(actor):
        raise Forbidden()
    sources.check_size(uploaded.size)
    data = uploaded.read()
    kind = sources.sniff(data)
    header(data, kind)
    lines = sources.check_row_count(data, kind)  # before any row is parsed: a huge file fails
    source = (uploaded.name or "upload")[:100]
    return jobs.start(
        import_legacy,
        actor=actor,
        title=_("Legacy import: %(name)s") % {"name": source},
        params={"source": source, "kind": kind},
        scope_unit=actor.unit,
        input_file=ContentFile(data),
        input_name=f"legacy-import.{kind}",
        background=lines > INLINE_ROWS,
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
        start = max(header_line, self._resume())
        rows = ((n, cells) for n, cells in sources.iter_rows(handle, kind) if n > start)
        for chunk in itertools.batched(rows, CHUNK):
            self._import_chunk(actor, chunk, columns, units, source)
            self.progress(self.counts["rows"], total)

    def _resume(self) -> int:
        """A restarted job (its worker died, jobs/recovery.py): take over the counts and problems
        of the chunks stored before, and go on after their last line."""
        last = 0
        for chunk in ImportChunk.objects.filter(job=self.job).order_by("last_line"):
            self._add(chunk.counts, chunk.problems)
            last = chunk.last_line
        return last

    def _import_chunk(self, actor, chunk, columns, units, source) -> None:
        """Check every row of the chunk, store the good ones together, count in file order —
        and note the chunk as stored in the same transaction (ImportChunk), so a job killed
        after it resumes after it."""
        counts = dict.fromkeys(self.counts, 0)
        outcomes: list[tuple[int, RowOutcome]] = []
        prepared: list[Prepared] = []
        for line, cells in chunk:
            counts["rows"] += 1
            if legacy.is_empty(cells):
                counts["empty"] += 1
                continue
            result = prepare(legacy.LegacyRow.from_cells(line, cells, columns), units)
            if isinstance(result, RowOutcome):
                outcomes.append((line, result))
            else:
                prepared.append(result)
        with transaction.atomic():
            stored = write_chunk(actor, prepared, source, self.job) if prepared else []
            if stored is None:  # a name or code came in concurrently: row by row, as before
                stored = [store_row(actor, row, source) for row in prepared]
            outcomes += zip((row.line for row in prepared), stored, strict=True)
            problems: list[dict] = []
            for line, outcome in sorted(outcomes, key=lambda pair: pair[0]):
                _count(counts, problems, line, outcome)
            ImportChunk.objects.create(
                job=self.job, last_line=chunk[-1][0], counts=counts, problems=problems
            )
        self._add(counts, problems)

    def _add(self, counts: dict, problems: list[dict]) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value
        self.problems += problems

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
            jobs.attach_output(self.job, "导入问题清单.csv", problems_csv(self.problems))
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


def _count(counts: dict, problems: list[dict], line: int, outcome: RowOutcome) -> None:
    counts[outcome.kind] += 1
    if outcome.kind == FROZEN:
        counts[CREATED] += 1
    problems += [{"line": line, "message": message} for message in outcome.messages]
