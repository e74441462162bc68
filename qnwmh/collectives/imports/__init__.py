"""Legacy import (seeds 000 Q3): an older system's collective list, from .xlsx or CSV, run as a
background job with progress (qnwmh.jobs).

Decisions:
- Rows are checked one by one and stored a chunk of 1,000 at a time (chunks.py), each
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

Modules: sources.py (reading the upload: kind, size, rows), rows.py (checking a row of the
legacy format: headers, cells, assessment), units.py (matching the unit column), store.py (one
row stored), chunks.py (a thousand rows stored at once), report.py (the problem list), job.py
(the background job). Callers use the names below.
"""

from qnwmh.collectives.imports.job import header, import_legacy, start_import
from qnwmh.collectives.imports.store import create_imported, import_row, prepare, store_row
from qnwmh.collectives.imports.units import RowRejected, UnitIndex

__all__ = [
    "RowRejected",
    "UnitIndex",
    "create_imported",
    "header",
    "import_legacy",
    "import_row",
    "prepare",
    "start_import",
    "store_row",
]
