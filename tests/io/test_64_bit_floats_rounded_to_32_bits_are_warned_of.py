"""A 64-bit float TIFF or .npy is read, processed and written as 32-bit floats: where that
changes values, a warning naming the file says so; where it changes none, nothing is said."""

import warnings

import numpy as np
import pytest
import tifffile

from core.errors import XrayWarning
from core.io import read_image, write_image


def _save(path, values):
    if path.suffix == ".npy":
        np.save(path, values)
    else:
        tifffile.imwrite(path, values)


@pytest.mark.parametrize("name", ["f64.tif", "f64.npy"])
def test_rounding_64_bit_floats_is_warned_of_naming_the_file(tmp_path, name):
    path = tmp_path / name
    values = np.full((8, 8), 0.1, dtype=np.float64)
    values[0, 0] = 0.5  # held exactly
    _save(path, values)
    with pytest.warns(XrayWarning) as caught:
        image = read_image(path)
    messages = [str(w.message) for w in caught]
    assert any(
        m.startswith(f"{path}: 64-bit floats rounded to 32-bit ones") and "in 63 of 64 pixels" in m
        for m in messages
    ), messages
    assert image.pixels.dtype == np.float32


@pytest.mark.parametrize("name", ["f64.tif", "f64.npy"])
def test_64_bit_floats_that_32_bits_hold_exactly_are_not_warned_of(tmp_path, name):
    path = tmp_path / name
    _save(path, np.arange(64, dtype=np.float64).reshape(8, 8) / 4)  # quarters: exact
    with warnings.catch_warnings():
        warnings.simplefilter("error", XrayWarning)
        image = read_image(path)
    np.testing.assert_array_equal(image.pixels, np.arange(64).reshape(8, 8) / 4)


def test_a_float64_tiff_written_out_is_32_bit_and_was_warned_of(tmp_path):
    source = tmp_path / "f64.tif"
    tifffile.imwrite(source, np.full((8, 8), 0.1, dtype=np.float64))
    with pytest.warns(XrayWarning, match="64-bit floats rounded to 32-bit ones"):
        image = read_image(source)
    out = write_image(image, tmp_path / "out.tif", description="copied")
    assert tifffile.imread(out).dtype == np.float32
