"""Reading bounds its memory: float32 pixels without a float64 copy, and no frame of lies."""

import struct
import tracemalloc
from pathlib import Path

import imagecodecs
import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate, get_frame
from pydicom.uid import JPEG2000Lossless, RLELossless

from core.errors import ImageReadError
from core.image import StoredMapping
from core.io import read_image
from core.io.dicom_write import new_dataset

U32 = 2.0**-24
"""The float32 unit roundoff: one rounding errs by at most this much, relatively."""

RESCALES = [(0.684, 200.0), (0.1, -100.5), (1 / 3, 1000.7), (2.4414e-4, -8.0), (123.456, -7e6)]


@pytest.mark.parametrize(("slope", "intercept"), RESCALES)
@pytest.mark.parametrize("signed", [False, True])
def test_float32_rescale_is_within_float32_rounding_of_float64(slope, intercept, signed):
    mapping = StoredMapping(bits_stored=16, signed=signed, slope=slope, intercept=intercept)
    stored = np.arange(mapping.stored_min, mapping.stored_max + 1)
    exact = stored * slope + intercept  # float64
    pixels = mapping.to_pixels(stored.astype(np.int16 if signed else np.uint16))
    assert pixels.dtype == np.float32
    # A few float32 roundings (slope, intercept, product, sum) of the operands' size.
    bound = 3 * U32 * (np.abs(stored * slope) + abs(intercept))
    assert np.all(np.abs(pixels - exact) <= bound)


@pytest.mark.parametrize(("slope", "intercept"), [(1.0, 0.0), (1.0, -1024.0), (3.0, -32768.0)])
def test_an_integer_rescale_gives_the_float64_result_exactly(slope, intercept):
    mapping = StoredMapping(bits_stored=16, slope=slope, intercept=intercept)
    stored = np.arange(65536, dtype=np.uint16)
    expected = (stored * slope + intercept).astype(np.float32)
    np.testing.assert_array_equal(mapping.to_pixels(stored), expected)


def test_32_bit_values_beyond_float32_s_integers_go_through_float64():
    mapping = StoredMapping(bits_stored=32, slope=0.5, intercept=-1.0)
    stored = np.array([2**24 + 1, 2**31 - 1, 123456789], dtype=np.uint32)
    expected = (stored.astype(np.float64) * 0.5 - 1.0).astype(np.float32)
    np.testing.assert_array_equal(mapping.to_pixels(stored), expected)


def test_the_stored_values_are_not_changed():
    stored = np.array([1.0, 2.0], dtype=np.float32)
    StoredMapping(bits_stored=12, slope=2.0, intercept=5.0).to_pixels(stored)
    np.testing.assert_array_equal(stored, [1.0, 2.0])


def test_pixels_take_no_float64_copy_of_the_image():
    stored = np.zeros((500, 500), dtype=np.uint16)
    mapping = StoredMapping(bits_stored=12, slope=0.5, intercept=-3.0)
    tracemalloc.start()
    try:
        pixels = mapping.to_pixels(stored)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * pixels.nbytes  # the float32 result; a float64 copy would double it


def dataset(pixels: np.ndarray) -> Dataset:
    """A DX dataset of `pixels`, native."""
    return new_dataset(
        pixels,
        photometric="MONOCHROME2",
        bits_stored=8 * pixels.itemsize,
        pixel_spacing=None,
        patient_name="",
        patient_id="SYN",
        description="a frame of lies",
        modality="DX",
        window=None,
    )


def dicom_of_frame(tmp_path: Path, frame: bytes, syntax: str, side: int, dtype) -> Path:
    """A DICOM whose header declares `side` x `side` and whose one frame is `frame`."""
    ds = dataset(np.zeros((8, 8), dtype))
    ds.Rows = ds.Columns = side
    ds.PixelData = encapsulate([frame])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = syntax
    path = tmp_path / "lie.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


def test_an_rle_frame_too_small_for_its_image_is_refused_before_decoding(tmp_path):
    ds = dataset(np.full((64, 64), 9, np.uint8))
    ds.compress(RLELossless, encoding_plugin="pydicom")
    frame = get_frame(ds.PixelData, 0, number_of_frames=1)
    path = dicom_of_frame(tmp_path, frame, RLELossless, 4000, np.uint8)
    with pytest.raises(ImageReadError, match=r"cannot hold the 4000 x 4000 image it declares"):
        read_image(path)


def test_a_jpeg_2000_frame_too_small_for_its_image_is_refused_before_decoding(tmp_path):
    # A 64 x 64 codestream whose SIZ was patched to 6000 x 6000 (72 MB decoded).
    codestream = bytearray(
        imagecodecs.jpeg2k_encode(
            np.zeros((64, 64), np.uint16), level=0, codecformat="J2K", reversible=True
        )
    )
    codestream[8:16] = codestream[24:32] = struct.pack(">II", 6000, 6000)  # Xsiz, XTsiz ...
    path = dicom_of_frame(tmp_path, bytes(codestream), JPEG2000Lossless, 6000, np.uint16)
    with pytest.raises(ImageReadError, match=r"cannot hold the 6000 x 6000 image it declares"):
        read_image(path)


def test_a_small_frame_may_compress_beyond_the_limit(shipped):
    # pydicom's JPEG2000.dcm: 250 bytes for 1024 x 256 x 16 bits (2097 to one), under 64 MiB.
    assert read_image(shipped("JPEG2000.dcm")).shape == (1024, 256)
