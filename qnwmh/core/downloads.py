"""Serving generated and uploaded files: never from a guessable public URL, always as an
attachment with a safe name (Chinese names survive through RFC 5987 filename*)."""

import mimetypes
import re
from urllib.parse import quote

from django.http import FileResponse

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def safe_filename(name: str, default: str = "download") -> str:
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[:150] or default


def attachment(fileobj, filename: str, content_type: str | None = None) -> FileResponse:
    name = safe_filename(filename)
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/") and "charset" not in content_type:
        # Every text file the app writes (CSV exports, problem lists) is UTF-8.
        content_type += "; charset=utf-8"
    response = FileResponse(fileobj, content_type=content_type)
    ascii_name = name.encode("ascii", "ignore").decode() or "download"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
