"""A constant or nearly constant image is shown as a viewer expects, not solid white.

Its two percentiles are equal: the window falls back to the least and largest value (a hot
pixel on a black frame shows white on black), and a constant frame of 0 is black, any
other constant about mid-grey.
"""

import numpy as np
import pytest
import tifffile

from core.display import AUTO_WINDOW_SAMPLES, auto_window, to_display, window_function
from core.image import StoredMapping, XrayImage
from core.io import read_image


def _shown(path, pixels):
    tifffile.imwrite(path, pixels)
    image = read_image(path)
    return image, to_display(image)


def test_an_all_black_frame_is_black(tmp_path):
    _, grey = _shown(tmp_path / "zero.tif", np.zeros((64, 64), np.uint16))
    assert np.all(grey == 0)


def test_a_hot_pixel_on_a_black_frame_is_white_on_black(tmp_path):
    pixels = np.zeros((64, 64), np.uint16)
    pixels[32, 32] = 4095
    image, grey = _shown(tmp_path / "hot.tif", pixels)
    # LINEAR (an integer source): black up to c - w/2, white from c + w/2 - 1
    assert (image.window.low, image.window.high - 1) == (0.0, 4095.0)
    assert grey[32, 32] == 1
    grey[32, 32] = 0
    assert np.all(grey == 0)


@pytest.mark.parametrize("value", [2000, 4095])
def test_another_constant_is_mid_grey(tmp_path, value):
    _, grey = _shown(tmp_path / "flat.tif", np.full((64, 64), value, np.uint16))
    assert np.unique(grey).size == 1
    assert grey[0, 0] == pytest.approx(0.5, abs=0.01)


def _dicom_linear(x: float, c: float, w: float) -> float:
    """PS3.3 C.11.2.1.2.1 Default LINEAR Function, to grey levels in [0, 1]."""
    if x <= c - 0.5 - (w - 1) / 2:
        return 0.0
    if x > c - 0.5 + (w - 1) / 2:
        return 1.0
    return (x - (c - 0.5)) / (w - 1) + 0.5


@pytest.mark.parametrize("value", [1, 2, 3, 1000, 65535])
def test_a_small_integer_constant_is_mid_grey_under_linear(tmp_path, value):
    # 1 was white (the window [0, 2] under LINEAR's c - 0.5), 2 a light grey (0.667)
    image, grey = _shown(tmp_path / "flat.tif", np.full((64, 64), value, np.uint16))
    assert window_function(image, image.window) == "LINEAR"
    assert image.window.low == 0
    assert _dicom_linear(value, image.window.center, image.window.width) == 0.5
    assert np.all(grey == 0.5)


@pytest.mark.parametrize("value", [-2.0, -1.0, 1.0, 2.0, 4095.0])
def test_an_integer_source_held_as_float32_is_mid_grey(value):
    pixels = np.full((16, 16), value, np.float32)  # as read_image holds an integer source
    image = XrayImage(pixels, StoredMapping(bits_stored=12, signed=True), auto_window(pixels))
    assert window_function(image, image.window) == "LINEAR"
    assert _dicom_linear(value, image.window.center, image.window.width) == 0.5
    assert np.all(to_display(image) == 0.5)


def _float_image(value: float) -> XrayImage:
    pixels = np.full((16, 16), value, np.float32)
    return XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=32, is_float=True),
        window=auto_window(pixels),
    )


@pytest.mark.parametrize("value", [-3.5, 1e-3, 0.5, 7.25])
def test_a_constant_float_image_is_mid_grey(value):
    image = _float_image(value)
    assert window_function(image, image.window) == "LINEAR_EXACT"
    assert 0 in (image.window.low, image.window.high)
    np.testing.assert_allclose(to_display(image), 0.5, atol=1e-6)


@pytest.mark.parametrize("value", [-1.0, 1.0, 7.0, 3e38])
def test_a_constant_float_image_of_an_integer_is_about_mid_grey(value):
    image = _float_image(value)  # windowed for LINEAR, shown LINEAR_EXACT: 0.5 - 0.5 / w
    grey = to_display(image)
    assert np.unique(grey).size == 1
    assert 1 / 3 - 1e-6 <= grey[0, 0] <= 0.5
    assert grey[0, 0] == pytest.approx(0.5 - 0.5 / (2 * abs(value) + 1), abs=1e-6)


def test_a_constant_zero_float_image_is_black():
    image = _float_image(0.0)
    assert np.all(to_display(image) == 0)


def test_the_extremes_are_of_every_pixel_not_the_sample_and_leave_padding_out():
    pixels = np.zeros((2048, 1024), np.float32)  # more than AUTO_WINDOW_SAMPLES: subsampled
    assert pixels.size > AUTO_WINDOW_SAMPLES
    pixels[0, 0] = 4095.0  # a pixel the sample leaves out
    padding = np.zeros(pixels.shape, bool)
    padding[-1, -1] = True
    pixels[-1, -1] = 65535.0  # padding: not part of the window
    window = auto_window(pixels, padding=padding)
    assert (window.low, window.high) == (0.0, 4095.0)
