"""PNG, TIFF and JPEG files whose few bytes would take too much memory as read are refused.

The limits count the float32 pixels a frame is read as, not only its decoded samples,
and bound the memory per compressed byte as a DICOM's compressed frame is bounded.
"""

import io
import struct
import zlib

import numpy as np
import pytest
import tifffile
from PIL import Image

from core.errors import ImageReadError
from core.io import MAX_DECODED_BYTES, read_image
from core.io.guards import check_dimensions


def _reason(path) -> str:
    with pytest.raises(ImageReadError) as info:
        read_image(path)
    return info.value.reason


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _jpeg(cols: int, rows: int) -> bytes:
    """A 16 x 16 gray JPEG whose SOF declares `cols` x `rows`."""
    buffer = io.BytesIO()
    Image.new("L", (16, 16), 90).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    struct.pack_into(">HH", data, data.find(b"\xff\xc0") + 5, rows, cols)
    return bytes(data)


def test_the_float32_pixels_count_against_the_decoded_limit(tmp_path):
    side = 20000  # 400 MB of 8-bit samples, 1.6 GB of float32 pixels
    assert side * side <= MAX_DECODED_BYTES < side * side * 4
    with pytest.raises(ImageReadError, match="as 32-bit pixels"):
        check_dimensions(tmp_path / "x.png", side, side)


def test_a_png_of_a_few_bytes_declaring_a_large_image_is_refused(tmp_path):
    ihdr = struct.pack(">IIBBBBB", 9000, 9000, 8, 0, 0, 0, 0)  # 309 MiB as read
    idat = zlib.compress(b"\0" * 100)
    path = tmp_path / "bomb.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )
    assert "decompression bomb" in _reason(path)


def test_a_deflate_tiff_of_zeros_is_refused(tmp_path):
    path = tmp_path / "bomb.tif"
    tifffile.imwrite(
        path,
        np.zeros((10000, 10000), np.uint8),
        compression="zlib",
        compressionargs={"level": 9},
        tile=(1024, 1024),
    )
    assert path.stat().st_size < 200_000  # 381 MiB as float32
    assert "decompression bomb" in _reason(path)


def test_a_jpeg_whose_header_declares_a_large_image_is_refused(tmp_path):
    path = tmp_path / "bomb.jpg"
    path.write_bytes(_jpeg(9000, 9000))
    assert "decompression bomb" in _reason(path)


def test_a_jpeg_whose_data_ends_before_its_image_is_refused(tmp_path):
    path = tmp_path / "short.jpg"
    path.write_bytes(_jpeg(512, 512))
    assert _reason(path) == "the JPEG data ends before its image (the file may be damaged)"


def test_an_ordinary_jpeg_and_a_blank_one_are_still_read(tmp_path):
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 255, (300, 200), dtype=np.uint8)
    for name, pixels in (("noisy.jpg", noisy), ("blank.jpg", np.zeros((1024, 1024), np.uint8))):
        Image.fromarray(pixels).save(tmp_path / name, "JPEG", quality=90)
        assert read_image(tmp_path / name).shape == pixels.shape
    Image.fromarray(noisy).save(tmp_path / "progressive.jpg", "JPEG", progressive=True)
    assert read_image(tmp_path / "progressive.jpg").shape == noisy.shape


def test_a_blank_frame_of_a_large_detector_is_read(tmp_path):
    # 4300 x 4300 (43 cm at 100 um) of zeros: 36 KB of PNG, 71 MiB as read, as its DICOM reads
    path = tmp_path / "blank.png"
    Image.fromarray(np.zeros((4300, 4300), np.uint16)).save(path)
    assert path.stat().st_size < 100_000
    assert read_image(path).shape == (4300, 4300)
