"""Serving generated and uploaded files: never from a guessable public URL (the views check
`visible_to` first), with a safe name (Chinese names survive through RFC 5987 filename*), as an
attachment — except pictures re-encoded by core/images.py, which a page shows inline."""

import mimetypes
import re
from urllib.parse import quote

from django.http import FileResponse

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def safe_filename(name: str, default: str = "download") -> str:
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[:150] or default


# Only what core/images.py writes is shown inline: a browser renders these as pictures and
# nothing else (no SVG, no HTML), and nosniff stops it from guessing otherwise.
INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


def attachment(fileobj, filename: str, content_type: str | None = None) -> FileResponse:
    name = safe_filename(filename)
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/") and "charset" not in content_type:
        # Every text file the app writes (CSV exports, problem lists) is UTF-8.
        content_type += "; charset=utf-8"
    return _response(fileobj, name, content_type, "attachment")


def image(fileobj, filename: str, content_type: str) -> FileResponse:
    """A stored picture, shown inline when it is one core/images.py writes; any other type
    goes out as an attachment (a mislabelled file is downloaded, never rendered)."""
    if content_type not in INLINE_IMAGE_TYPES:
        return attachment(fileobj, filename, "application/octet-stream")
    response = _response(fileobj, safe_filename(filename), content_type, "inline")
    # Opened on its own, the picture runs in a sandbox with no right to anything.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def _response(fileobj, name: str, content_type: str, disposition: str) -> FileResponse:
    response = FileResponse(fileobj, content_type=content_type)
    ascii_name = name.encode("ascii", "ignore").decode() or "download"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
