"""PNG and TIFF keep the stored values: a dropped rescale is said, the values are not changed."""

import warnings

import numpy as np
import pytest
from PIL import Image
from pydicom.dataset import Dataset

from core.errors import XrayWarning
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image, write_image


def rescaled_image(slope, intercept):
    rows, cols = np.mgrid[0:24, 0:32]
    stored = ((rows * 61 + cols * 17) % 4096).astype(np.float32)
    return XrayImage(
        stored * np.float32(slope) + np.float32(intercept),
        StoredMapping(bits_stored=12, slope=slope, intercept=intercept),
        Window(1000, 2000),
    ), stored


@pytest.mark.parametrize(("suffix", "format_name"), [(".png", "PNG"), (".tif", "TIFF")])
def test_a_dropped_rescale_is_warned_and_the_stored_values_are_written(
    tmp_path, suffix, format_name
):
    image, stored = rescaled_image(0.5, -100.0)
    path = tmp_path / f"out{suffix}"
    expected = (
        f"{path}: written as stored values; the rescale (slope 0.5, intercept -100) "
        f"is not kept by {format_name}: read it back in stored units"
    )
    with pytest.warns(XrayWarning) as caught:
        write_image(image, path, description="test")
    # Only the writer's warnings: a temporary directory another test left to the garbage
    # collector may say so (ResourceWarning) at any moment.
    assert [str(w.message) for w in caught if issubclass(w.category, XrayWarning)] == [expected]
    np.testing.assert_array_equal(read_image(path).pixels, stored)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_no_warning_without_a_rescale(tmp_path, suffix):
    image, _ = rescaled_image(1.0, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_image(image, tmp_path / f"out{suffix}", description="test")


def test_a_modality_lut_table_is_applied_so_png_keeps_modality_values(tmp_path, write_dx):
    stored = (np.arange(24 * 32).reshape(24, 32) % 4096).astype(np.uint16)
    table = Dataset()
    table.LUTDescriptor = [4096, 0, 16]
    table.ModalityLUTType = "US"
    table.add_new(0x00283006, "US", [15 * v for v in range(4096)])
    source = read_image(write_dx(stored, ModalityLUTSequence=[table]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = write_image(source, tmp_path / "lut.png", description="test")
    np.testing.assert_array_equal(Image.open(out), 15 * stored)
    np.testing.assert_array_equal(read_image(out).pixels, source.pixels)
