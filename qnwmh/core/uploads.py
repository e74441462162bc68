"""What every reader of an uploaded file starts with (imports, pictures): the bytes or the
stored file as one seekable handle, and its size, without reading it into memory."""

import io
from typing import BinaryIO


def opened(data: bytes | BinaryIO) -> tuple[BinaryIO, int]:
    """A seekable binary handle at its start, and the size in bytes."""
    handle = io.BytesIO(data) if isinstance(data, bytes) else data
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return handle, size
