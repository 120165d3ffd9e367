"""A rescaled image whose values span less than 1 is shown in grey levels, not one flat grey.

LINEAR's ``c - 0.5`` and ``w - 1`` (DICOM PS3.3 C.11.2.1.2.1) are one stored step; a window
the viewer makes of an image whose step is not 1 is applied LINEAR_EXACT. The file's own
windows keep LINEAR, the standard's default, and slope-1 images are shown as before.
"""

import numpy as np
import pytest

from core.display import LOOKUP_MIN_PIXELS, auto_window, to_display, window_function
from core.image import StoredMapping, Window, XrayImage

STORED = np.arange(0, 3789, dtype=np.int64)  # a 12-bit phantom's values, 0..3788


def _rescaled(slope: float, shape: tuple[int, int], **changes) -> XrayImage:
    mapping = StoredMapping(bits_stored=12, slope=slope)
    stored = np.resize(STORED, shape)
    pixels = mapping.to_pixels(stored).astype(np.float32)
    return XrayImage(pixels=pixels, mapping=mapping, window=auto_window(pixels), **changes)


@pytest.mark.parametrize("slope", [0.01, 0.001, 0.0001])
@pytest.mark.parametrize("shape", [(60, 64), (512, 512)], ids=["formula", "table"])
def test_a_percentile_window_of_a_small_slope_shows_a_ramp(slope, shape):
    image = _rescaled(slope, shape)
    assert window_function(image, image.window) == "LINEAR_EXACT"
    for _ in range(2):  # a large image is looked up through its stored codes the second time
        grey = to_display(image)
        assert np.unique(grey).size > 3000
        assert np.mean(grey >= 1) < 0.01 and np.mean(grey <= 0) < 0.01
    if shape == (512, 512):
        assert shape[0] * shape[1] >= LOOKUP_MIN_PIXELS


def test_the_same_stored_values_look_the_same_at_any_small_slope():
    greys = [to_display(_rescaled(slope, (60, 64))) for slope in (0.01, 0.001, 0.0001)]
    for grey in greys[1:]:
        np.testing.assert_allclose(grey, greys[0], atol=1e-5)


def test_the_files_own_window_keeps_the_standards_linear():
    file_window = Window(center=0.2, width=1.0)  # no VOILUTFunction: LINEAR
    image = _rescaled(0.0001, (60, 64), file_windows=(file_window,))
    assert window_function(image, file_window) == "LINEAR"
    grey = to_display(image, file_window)
    np.testing.assert_array_equal(grey, (image.pixels > 0.2 - 0.5).astype(np.float32))
    # A window the viewer makes of it (a preset, a drag) is its own: LINEAR_EXACT.
    assert window_function(image, Window(center=0.2, width=0.3)) == "LINEAR_EXACT"


def test_a_function_the_window_or_file_names_is_kept():
    image = _rescaled(0.0001, (60, 64))
    assert window_function(image, Window(0.2, 1.0, function="LINEAR")) == "LINEAR"
    sigmoid = XrayImage(
        pixels=image.pixels,
        mapping=image.mapping,
        window=Window(0.2, 0.3, function="SIGMOID"),
    )
    assert window_function(sigmoid, Window(0.1, 0.2)) == "SIGMOID"


@pytest.mark.parametrize("slope", [1.0, -1.0])
def test_slope_one_images_keep_linear(slope):
    mapping = StoredMapping(bits_stored=12, slope=slope, intercept=-1024.0 if slope > 0 else 4095)
    pixels = mapping.to_pixels(np.resize(STORED, (60, 64))).astype(np.float32)
    image = XrayImage(pixels=pixels, mapping=mapping, window=auto_window(pixels))
    assert window_function(image, image.window) == "LINEAR"
