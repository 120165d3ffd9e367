"""A read whose float32 pixels cannot hold the stored values apart says so, and by how much.

Pixels are float32 (a design choice), which hold a value to half its spacing: 32-bit
stored values beyond 2**24, or RescaleSlope 0.001 under RescaleIntercept 30000, come out
between stored values, and a plain read and write changed up to 4 and 1 stored steps
silently. The read now warns once, naming the file, the error in stored steps and the
largest change a write of the unchanged pixels gives; that write rounds each pixel to
its nearest stored value. Ordinary data read without the warning.
"""

import warnings

import numpy as np
import pydicom
import pytest

from core.errors import XrayWarning
from core.image import StoredMapping
from core.io import read_image, write_image

RNG = np.random.default_rng(0)
WIDE = (RNG.integers(0, 1000, (32, 32)) + 100_000_000).astype(np.uint32)
FINE = RNG.integers(0, 65536, (32, 32)).astype(np.uint16)


def wide(write_dx):
    """32-bit values near 1e8, where float32 steps by 8."""
    ds = pydicom.dcmread(write_dx(np.zeros((32, 32), np.uint16), bits_stored=16))
    ds.BitsAllocated = ds.BitsStored = 32
    ds.HighBit = 31
    ds.PixelData = WIDE.astype("<u4").tobytes()
    ds.save_as(ds.filename, enforce_file_format=True)
    return ds.filename


def fine(write_dx):
    """16-bit values under RescaleSlope 0.001 and RescaleIntercept 30000."""
    return write_dx(FINE, bits_stored=16, RescaleSlope="0.001", RescaleIntercept="30000")


@pytest.mark.parametrize(
    ("make", "source", "error", "changed"),
    [(wide, WIDE, "4", "4 steps"), (fine, FINE, "0.97", "1 step")],
)
def test_the_read_warns_and_the_write_rounds_to_the_nearest_stored_value(
    tmp_path, write_dx, make, source, error, changed
):
    path = make(write_dx)
    with pytest.warns(XrayWarning) as caught:
        image = read_image(path)
    messages = [str(w.message) for w in caught if "32-bit floats" in str(w.message)]
    assert len(messages) == 1
    assert messages[0].startswith(f"{path}: 32-bit floats hold these pixel values")
    assert f"only to within {error} stored steps" in messages[0]
    assert messages[0].endswith(f"changes stored values by up to {changed}")
    out = write_image(image, tmp_path / "out.dcm", description="unchanged", overwrite=True)
    written = pydicom.dcmread(out).pixel_array.astype(np.int64)
    largest = int(changed.split()[0])
    assert np.abs(written - source).max() == largest  # as the warning says
    mapping = image.mapping
    nearest = (image.pixels.astype(np.float64) - mapping.intercept) / mapping.slope
    assert np.abs(written - nearest).max() <= 0.5  # each the nearest to its pixel


def test_ordinary_data_read_without_the_warning(write_dx):
    path = write_dx(FINE, bits_stored=16, RescaleSlope="0.5", RescaleIntercept="-1024")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_image(path)


def test_values_float32_holds_exactly_are_not_warned_of():
    """Integers up to 2**24 are exact, though float32 spacing there passes half a step."""
    mapping = StoredMapping(bits_stored=32)
    stored = np.array([2**23 + 1, 2**24 - 1], dtype=np.uint32)
    assert mapping.float32_error(stored, mapping.to_pixels(stored)) is None
    stored[0] = 2**24 + 1  # float32 rounds it to 2**24
    assert mapping.float32_error(stored, mapping.to_pixels(stored)) == (1.0, 1)
