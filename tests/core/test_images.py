"""Uploaded pictures: recognised from their bytes, bounded, written anew without metadata;
served inline only as what core/images.py writes (issue 4, uploads and downloads)."""

import io
import struct
import zlib

import pytest
from PIL import Image

from qnwmh.core import images
from qnwmh.core.downloads import image as image_response
from qnwmh.core.images import ImageRejected, accept_image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _picture(fmt: str, size=(64, 48), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def _jpeg_with_gps_and_comment(size=(64, 48), orientation=1) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD)[2] = (28.0, 12.0, 0.0)  # GPSLatitude: 长沙
    return _picture("JPEG", size, exif=exif.tobytes(), comment=b"<script>alert(1)</script>")


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (_picture("JPEG"), "image/jpeg"),
        (_picture("PNG"), "image/jpeg"),
        (_picture("WEBP"), "image/jpeg"),
        (_picture("PNG", mode="RGBA", color=(0, 0, 0, 0)), "image/png"),
        (_picture("WEBP", mode="RGBA", color=(0, 0, 0, 0)), "image/png"),
    ],
)
def test_accepted_pictures_are_written_anew(data, content_type):
    accepted = accept_image(data)
    assert accepted.content_type == content_type
    assert accepted.content != data
    assert (accepted.width, accepted.height) == (64, 48)
    with Image.open(io.BytesIO(accepted.content)) as again:
        assert again.format == {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
        assert again.size == (64, 48)


def test_metadata_and_comments_are_dropped():
    accepted = accept_image(_jpeg_with_gps_and_comment())
    with Image.open(io.BytesIO(accepted.content)) as again:
        assert not again.getexif()
        assert "comment" not in again.info
        assert "icc_profile" not in again.info
    assert b"<script>" not in accepted.content
    assert b"PhoneMaker" not in accepted.content


def test_a_sideways_phone_photo_is_turned_upright():
    # Orientation 6: the camera held upright stores the pixels rotated by 90°.
    accepted = accept_image(_jpeg_with_gps_and_comment(size=(64, 48), orientation=6))
    assert (accepted.width, accepted.height) == (48, 64)


def test_large_pictures_are_scaled_to_the_longest_side(monkeypatch):
    monkeypatch.setattr(images, "MAX_SIDE", 32)
    accepted = accept_image(_picture("PNG", size=(128, 64)))
    assert (accepted.width, accepted.height) == (32, 16)


def test_an_animated_picture_keeps_its_first_frame():
    frames = [Image.new("RGB", (20, 10), c) for c in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="WEBP", save_all=True, append_images=frames[1:], lossless=True)
    accepted = accept_image(out.getvalue())
    with Image.open(io.BytesIO(accepted.content)) as again:
        assert getattr(again, "n_frames", 1) == 1
        red, _green, blue = again.convert("RGB").getpixel((5, 5))
        assert red > 200 and blue < 50


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims the given size: a few dozen bytes, no pixel data to speak of."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + checksum

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "不是 JPEG、PNG 或 WebP"),
        (_picture("GIF"), "不是 JPEG、PNG 或 WebP"),
        (b"%PDF-1.7\n", "不是 JPEG、PNG 或 WebP"),
        (_picture("JPEG")[:40], "已损坏"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "已损坏"),
        (b"\xff\xd8\xff<html><script>alert(1)</script></html>", "已损坏"),
        (_png_header_only(20_000, 20_000), "4000 万像素"),
        (_png_header_only(2**20, 2**20), "4000 万像素"),
    ],
)
def test_anything_else_is_refused_in_chinese(data, message):
    with pytest.raises(ImageRejected) as refused:
        accept_image(data)
    assert message in refused.value.message
    assert refused.value.fields == {"file": [refused.value.message]}


def test_files_over_the_size_limit_are_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    with pytest.raises(ImageRejected, match="10 MB"):
        accept_image(_picture("PNG", size=(200, 200), color=(1, 2, 3)) + b"\x00" * 100)


def test_an_open_file_is_read_as_well_as_bytes(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(_picture("JPEG"))
    with path.open("rb") as handle:
        assert accept_image(handle).content_type == "image/jpeg"


def test_accepted_pictures_are_served_inline_in_a_sandbox():
    accepted = accept_image(_picture("JPEG"))
    response = image_response(io.BytesIO(accepted.content), "活动照片.jpg", accepted.content_type)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert (
        "filename*=UTF-8''%E6%B4%BB%E5%8A%A8%E7%85%A7%E7%89%87.jpg"
        in (response["Content-Disposition"])
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("content_type", ["image/svg+xml", "text/html", "image/gif", ""])
def test_any_other_type_is_downloaded_never_rendered(content_type):
    response = image_response(io.BytesIO(b"<svg/>"), "x.svg", content_type)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
