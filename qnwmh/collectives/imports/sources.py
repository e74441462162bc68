"""Reading an uploaded legacy file: decide what it is from its bytes (never from its name),
then yield its rows with their line numbers. No database.

Accepted: .xlsx (a zip holding [Content_Types].xml and xl/workbook.xml; the first sheet is
read with openpyxl in read-only mode) and CSV/TSV text in UTF-8, UTF-8 with BOM, UTF-16 with
BOM (Excel's "Unicode text") or GB18030 (which covers GBK and GB2312, what older Chinese
systems export). Refused with a Chinese explanation: anything else, other zips (Word files,
archives), the old binary .xls, files over 20 MB, and xlsx files that would unpack to more than
400 MB (a zip bomb).
"""

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from qnwmh.core.errors import InvalidInput
from qnwmh.core.uploads import opened

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
# Lines a file may hold above its rows: a title and the header (rows.HEADER_SEARCH_ROWS).
HEADER_ALLOWANCE = 10
MAX_COLUMNS = 60
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
XLSX, CSV = "xlsx", "csv"

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc of Office 97–2003
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BLOCK = 1024 * 1024


class FileRejected(InvalidInput):
    code = "bad_file"


def _reject(message: str) -> FileRejected:
    return FileRejected(message, fields={"file": [message]})


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise _reject(_("The file is larger than 20 MB. Please split it and import the parts."))


def sniff(data: bytes | BinaryIO) -> str:
    """XLSX or CSV, or FileRejected saying why not. Takes the bytes or a seekable binary file
    (the stored upload, read in blocks: a 20 MB file is never held twice in memory)."""
    handle, size = opened(data)
    if not size:
        raise _reject(_("The file is empty."))
    check_size(size)
    head = handle.read(65536)
    handle.seek(0)
    if head.startswith(_ZIP):
        _check_xlsx(handle)
        return XLSX
    if head.startswith(_OLE2):
        raise _reject(
            _("Old .xls files are not supported. Save the sheet as .xlsx or CSV in Excel first.")
        )
    if head.startswith(_BINARY_MAGIC) or (b"\x00" in head and not head.startswith(_UTF16_BOMS)):
        raise _reject(_("This is not an Excel (.xlsx) or CSV file."))
    text_encoding(handle)
    return CSV


def _check_xlsx(handle: BinaryIO) -> None:
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _reject(_("The Excel file is damaged and cannot be read.")) from exc
    finally:
        handle.seek(0)
    names = {info.filename for info in infos}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise _reject(
            _("This is a zip archive or another document, not an Excel (.xlsx) workbook.")
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise _reject(_("The Excel file is password-protected. Remove the password first."))
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise _reject(_("The Excel file unpacks to more than 400 MB and is refused."))


def text_encoding(handle: BinaryIO) -> tuple[str, str]:
    """(encoding, errors) to read a text file with: by its BOM, else UTF-8 when every byte of it
    decodes as UTF-8, else GB18030. Checked block by block, so the file is never held whole."""
    head = handle.read(4)
    handle.seek(0)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "replace"
    if head.startswith(_UTF16_BOMS):
        return "utf-16", "replace"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            handle.seek(0)
        return encoding, "strict"
    raise _reject(_("The file's text encoding is not recognised. Save it as UTF-8 CSV."))


def iter_rows(data: bytes | BinaryIO, kind: str) -> Iterator[tuple[int, list]]:
    """(line number, cell values) for every row, empty ones included, at most MAX_COLUMNS
    cells wide. Line numbers are what a person sees: the spreadsheet row, or the CSV line
    where the record starts. A file is read as a stream: memory does not grow with its rows."""
    handle = io.BytesIO(data) if isinstance(data, bytes) else data
    handle.seek(0)
    if kind == XLSX:
        yield from _xlsx_rows(handle)
    else:
        yield from _csv_rows(handle)


def check_row_count(data: bytes | BinaryIO, kind: str, limit: int | None = None) -> int:
    """Refuse a file with more than `limit` rows (plus the title and header lines) before any
    row is parsed (issue 12 #7: a million rows were refused only after ~85 s). A workbook's
    first sheet is counted by its `<row` tags in the unpacked XML (no cell is read, and a
    `<dimension>` that lies does not matter); a CSV by its lines, stopping past the limit. A
    20 MB file is refused in well under a second either way. Returns the lines counted (the
    rows, give or take the title and header)."""
    limit = MAX_ROWS if limit is None else limit
    bound = limit + HEADER_ALLOWANCE
    handle = io.BytesIO(data) if isinstance(data, bytes) else data
    handle.seek(0)
    try:
        rows = _xlsx_row_tags(handle, bound) if kind == XLSX else _csv_lines(handle, bound)
    finally:
        handle.seek(0)
    if rows > bound:
        raise _reject(
            _(
                "The file has more than %(limit)s rows; nothing was imported. Split it and import "
                "the parts."
            )
            % {"limit": f"{limit:,}"}
        )
    return rows


def _xlsx_row_tags(handle: BinaryIO, bound: int) -> int:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(handle, read_only=True)
        if not workbook.worksheets:
            return 0
        path = workbook.worksheets[0]._worksheet_path
        workbook.close()
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive, archive.open(path) as sheet:
            count, tail = 0, b""
            for block in iter(lambda: sheet.read(_BLOCK), b""):
                window = tail + block
                count += window.count(b"<row ") + window.count(b"<row>")
                count -= tail.count(b"<row ") + tail.count(b"<row>")
                tail = block[-5:]
                if count > bound:
                    break
            return count
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _reject(_("The Excel file is damaged and cannot be read.")) from exc


def _csv_lines(handle: BinaryIO, bound: int) -> int:
    """Records, not physical lines (a quoted cell may hold a line break), read up to `bound`."""
    rows = _csv_rows(handle)
    try:
        return sum(1 for _row in itertools.islice(rows, bound + 1))
    finally:
        rows.close()


def count_rows(data: bytes | BinaryIO, kind: str) -> int:
    """How many rows iter_rows yields, without keeping them."""
    rows = iter_rows(data, kind)
    try:
        return sum(1 for _row in rows)
    finally:
        rows.close()


def _csv_rows(handle: BinaryIO) -> Iterator[tuple[int, list]]:
    encoding, errors = text_encoding(handle)
    text = io.TextIOWrapper(handle, encoding=encoding, errors=errors, newline="")
    try:
        head = "".join(itertools.islice(text, 10))  # a title line may come first
        text.seek(0)
        delimiter = "\t" if head.count("\t") > head.count(",") else ","
        reader = csv.reader(text, delimiter=delimiter)
        start = 1
        try:
            for row in reader:
                yield start, row[:MAX_COLUMNS]
                start = reader.line_num + 1
        except csv.Error as exc:
            raise _reject(
                _("The CSV file cannot be read after line %(line)d.") % {"line": reader.line_num}
            ) from exc
    finally:
        text.detach()  # the caller's file stays open


def _xlsx_rows(handle: BinaryIO) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _reject(_("The Excel file is damaged and cannot be read.")) from exc
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(max_col=MAX_COLUMNS)
        expected = 1
        while True:
            try:
                row = next(rows, None)
            except Exception as exc:  # damaged sheet XML part-way through
                raise _reject(
                    _("The Excel file cannot be read after row %(line)d.") % {"line": expected}
                ) from exc
            if row is None:
                return
            number = next((cell.row for cell in row if getattr(cell, "row", None)), expected)
            yield number, [cell.value for cell in row]
            expected = number + 1
    finally:
        workbook.close()
