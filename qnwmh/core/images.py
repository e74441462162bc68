"""Accepting an uploaded photo (照片: a collective's activities, later its works): recognised
from its bytes, bounded, and re-encoded, so that what is stored and served again is a fresh
image written by Pillow and never the uploaded file. No database.

Why re-encode: an upload can be a polyglot (a JPEG that is also HTML or a script), carry a
crafted chunk aimed at a decoder, or hide the phone's GPS position and serial number in its
EXIF data. Decoding to pixels and writing a new file keeps the picture and drops everything
else — metadata, comments, colour profiles, extra frames (等保 8.1.4.4 d, 8.1.4.11).

Accepted: JPEG, PNG and WebP, at most 10 MB and 40 megapixels (a "decompression bomb" of a few
KB that unpacks to gigabytes is refused from its header, before any pixel is decoded). The result
is at most 4,096 pixels on its longest side: a JPEG, or a PNG when the picture has transparency.
Everything else — SVG (which can hold scripts), GIF, HEIC, PDF — is refused in Chinese.
"""

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from qnwmh.core.errors import InvalidInput
from qnwmh.core.uploads import opened

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 4096
JPEG_QUALITY = 85

# The leading bytes of each accepted format, and the Pillow format name that may decode it:
# Pillow is told which decoder to use, so a file cannot pick another one by its content.
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)
_RIFF, _WEBP = b"RIFF", b"WEBP"


class ImageRejected(InvalidInput):
    code = "bad_image"


@dataclass(frozen=True)
class AcceptedImage:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _reject(message: str) -> ImageRejected:
    return ImageRejected(message, fields={"file": [message]})


def sniff_image(head: bytes) -> str:
    """The Pillow format name of an accepted image from its first bytes, or ImageRejected."""
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == _RIFF and head[8:12] == _WEBP:
        return "WEBP"
    raise _reject(_("This is not a JPEG, PNG or WebP picture."))


def accept_image(data: bytes | BinaryIO) -> AcceptedImage:
    """Check an uploaded picture and write it anew (see the module's docstring for the rules);
    ImageRejected, with the reason in Chinese, for anything that is not a sound picture."""
    handle, size = opened(data)
    if not size:
        raise _reject(_("The file is empty."))
    if size > MAX_BYTES:
        raise _reject(_("The picture is larger than 10 MB."))
    source_format = sniff_image(handle.read(16))
    handle.seek(0)
    picture = _decode(handle, source_format)
    return _encode(picture)


def _decode(handle: BinaryIO, source_format: str) -> Image.Image:
    too_many_pixels = _("The picture has more than 40 million pixels.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse outright.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(handle, formats=[source_format])
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise _reject(too_many_pixels)
            picture.seek(0)  # the first frame of an animated PNG or WebP
            picture.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own check, in Image.open, for sizes far beyond ours.
        raise _reject(too_many_pixels) from error
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as error:
        raise _reject(_("The picture is damaged or cannot be read.")) from error
    # Photos from phones are stored sideways with an orientation tag; turn the pixels instead,
    # since the tag is dropped with the rest of the metadata.
    return ImageOps.exif_transpose(picture)


def _encode(picture: Image.Image) -> AcceptedImage:
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    transparent = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    out = io.BytesIO()
    if transparent:
        _pixels_only(picture, "RGBA").save(out, format="PNG", optimize=True)
        content_type, extension = "image/png", "png"
    else:
        pixels = _pixels_only(picture, "RGB")
        pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    return AcceptedImage(out.getvalue(), content_type, extension, *picture.size)


def _pixels_only(picture: Image.Image, mode: str) -> Image.Image:
    """A new image holding the pixels and nothing else: Pillow's writers copy a comment or a
    colour profile from the source's `info` unless the image never had one."""
    converted = picture.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())
