"""Stored values left-aligned in their words (HighBit 15, BitsStored 12) are read, not noise.

Legacy CR and DX writers put 12-bit values in the high bits of the 16-bit word. The
reader never looked at HighBit; pydicom kept the low 12 bits, so the image became
noise without a word. Such uncompressed data are now read from the high bits, with a
warning naming the file, and the header a derived image copies says HighBit 11; any
other HighBit that is not BitsStored - 1 is refused.
"""

import numpy as np
import pydicom
import pytest
from pydicom.uid import (
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    RLELossless,
)

from core.errors import ImageReadError, XrayWarning
from core.io import read_image, write_image


def film(signed=False, rows=40, cols=56):
    """12-bit stored values spanning the whole range (their sign bit set where signed)."""
    values = np.arange(rows * cols).reshape(rows, cols) * 37 % 4096
    if signed:
        return (values - 2048).astype(np.int16)
    return values.astype(np.uint16)


def left_aligned(write_dx, truth, *, syntax=ExplicitVRLittleEndian, high_bit=15, frames=1):
    """Write `truth` (every frame) as stored values in the high bits of 16-bit words."""
    path = write_dx(truth, syntax=syntax)
    ds = pydicom.dcmread(path)
    ds.HighBit = high_bit
    words = np.stack([truth] * frames) << 4  # the low 4 bits are unused
    order = ">" if syntax == ExplicitVRBigEndian else "<"
    ds.PixelData = words.astype(words.dtype.newbyteorder(order)).tobytes()
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.save_as(path)
    return path


@pytest.mark.parametrize(
    "syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian]
)
@pytest.mark.parametrize("signed", [False, True])
def test_left_aligned_values_are_read_with_a_warning_naming_the_file(write_dx, syntax, signed):
    truth = film(signed)
    path = left_aligned(write_dx, truth, syntax=syntax)
    with pytest.warns(XrayWarning, match="HighBit 15 with BitsStored 12") as record:
        image = read_image(path)
    assert len(record) == 1
    assert str(path) in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, truth)
    assert image.mapping.bits_stored == 12
    assert image.mapping.signed == signed
    assert image.dataset.HighBit == 11  # what was read, for a derived image
    assert image.metadata["HighBit"] == 11


def test_a_frame_of_a_left_aligned_multi_frame_file(write_dx):
    truth = film()
    path = left_aligned(write_dx, truth, frames=3)
    with pytest.warns(XrayWarning, match="HighBit 15"):
        image = read_image(path, frame=2)
    np.testing.assert_array_equal(image.pixels, truth)


def test_a_derived_image_of_a_left_aligned_source_holds_the_values_right_aligned(
    tmp_path, write_dx
):
    truth = film()
    path = left_aligned(write_dx, truth)
    with pytest.warns(XrayWarning, match="HighBit 15"):
        image = read_image(path)
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    ds = pydicom.dcmread(out)
    assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit) == (16, 12, 11)
    np.testing.assert_array_equal(ds.pixel_array, truth)
    np.testing.assert_array_equal(read_image(out).pixels, truth)


def test_another_high_bit_is_refused_naming_it(write_dx):
    path = left_aligned(write_dx, film(), high_bit=13)
    with pytest.raises(ImageReadError) as refused:
        read_image(path)
    assert refused.value.reason.startswith("unsupported HighBit 13 with BitsStored 12")
    assert str(path) in str(refused.value)


def test_left_aligned_compressed_data_are_refused(write_dx):
    path = write_dx(film())
    ds = pydicom.dcmread(path)
    ds.compress(RLELossless)
    ds.HighBit = 15
    ds.save_as(path)
    with pytest.raises(ImageReadError, match="HighBit 15"):
        read_image(path)
