"""Damaged files must give a valid image or an ImageReadError, never another exception."""

import warnings

import numpy as np
import pydicom
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from core.errors import ImageReadError
from core.image import XrayImage
from core.io import read_image

FUZZ_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same cases on every run
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@st.composite
def damage(draw, size: int, header_end: int):
    """Byte flips (mostly in the header, where parsing happens) and an optional truncation."""
    position = st.one_of(st.integers(0, header_end - 1), st.integers(0, size - 1))
    flips = draw(st.lists(st.tuples(position, st.integers(1, 255)), min_size=1, max_size=8))
    keep = draw(st.one_of(st.just(size), st.integers(0, size)))
    return flips, keep


def damaged(data: bytes, flips, keep: int) -> bytes:
    buffer = bytearray(data)
    for position, xor in flips:
        buffer[position] ^= xor
    return bytes(buffer[:keep])


def check_read(path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom's and our own warnings about odd files
        try:
            image = read_image(path)
        except ImageReadError as error:
            assert "\n" not in str(error)
            return
    assert isinstance(image, XrayImage)
    assert image.pixels.ndim == 2 and image.pixels.dtype == np.float32


def fuzz_reading(path, data: bytes, header_end: int) -> None:
    """Read damaged copies of `data` written to `path`."""

    @FUZZ_SETTINGS
    @given(damage(len(data), header_end))
    def read_damaged(case):
        path.write_bytes(damaged(data, *case))
        check_read(path)

    read_damaged()


@pytest.mark.parametrize(
    "name",
    [
        "CT_small.dcm",
        "MR_small_jp2klossless.dcm",
        "693_J2KI.dcm",
        "MR_small_RLE.dcm",
        "JPGExtended.dcm",
    ],
)
def test_damaged_dicom_reads_or_raises_image_read_error(tmp_path, shipped, name):
    data = shipped(name).read_bytes()
    header_end = pydicom.dcmread(shipped(name))["PixelData"].file_tell + 64
    fuzz_reading(tmp_path / name, data, header_end)


def test_damaged_jpeg_reads_or_raises_image_read_error(tmp_path):
    yy, xx = np.mgrid[0:48, 0:64]
    original = tmp_path / "original.jpg"
    Image.fromarray((128 + 90 * np.sin(xx / 9) * np.cos(yy / 7)).astype(np.uint8)).save(original)
    data = original.read_bytes()
    header_end = data.index(b"\xff\xda") + 16  # past the start of scan
    fuzz_reading(tmp_path / "damaged.jpg", data, header_end)
