"""A 32-bit integer TIFF or .npy whose values float32 cannot hold apart warns as a DICOM does.

Pixels are float32, which near 2**32 hold values only to within 128: a plain read and
write of such a file changed stored values by up to 128 with no more said than that the
values were rounded. The read now makes the DICOM reader's check
(:func:`core.io.guards.warn_float32_error`): the warning names the error in stored steps
and the largest change a write of the unchanged pixels gives. Values float32 holds
exactly, beyond 2**24 too, read without a warning.
"""

import warnings

import numpy as np
import pytest
import tifffile

from core.errors import XrayWarning
from core.io import read_image, write_image

RNG = np.random.default_rng(0)
NEAR_2_32 = (2**32 - 1 - RNG.integers(0, 1000, (32, 32))).astype(np.uint32)


def _tiff(path, values):
    tifffile.imwrite(path, values)
    return path


def _npy(path, values):
    np.save(path, values)
    return path


@pytest.mark.parametrize(("save", "name"), [(_tiff, "wide.tif"), (_npy, "wide.npy")])
def test_the_read_warns_of_the_change_a_write_gives(tmp_path, save, name):
    path = save(tmp_path / name, NEAR_2_32)
    with pytest.warns(XrayWarning) as caught:
        image = read_image(path)
    (message,) = [str(w.message) for w in caught]
    assert message.startswith(f"{path}: 32-bit floats hold these pixel values")
    assert "only to within 128 stored steps" in message
    assert message.endswith("writing them back unchanged changes stored values by up to 128 steps")
    out = write_image(image, tmp_path / "out.tif", description="unchanged")
    written = tifffile.imread(out).astype(np.int64)
    assert np.abs(written - NEAR_2_32).max() == 128  # as the warning says


@pytest.mark.parametrize(
    "values",
    [
        np.arange(1024, dtype=np.uint32).reshape(32, 32) + 2**24 - 1024,  # up to 2**24
        (np.arange(1024, dtype=np.uint32).reshape(32, 32) + 2**23) * 256,  # beyond, but exact
    ],
    ids=["up-to-2**24", "multiples-of-256-beyond"],
)
def test_values_float32_holds_read_without_a_warning(tmp_path, values):
    path = _tiff(tmp_path / "exact.tif", values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = read_image(path)
    np.testing.assert_array_equal(image.pixels.astype(np.int64), values)
