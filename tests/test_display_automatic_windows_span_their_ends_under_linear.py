"""The viewer's automatic windows show their lowest value black and their highest white.

An integer source is shown with DICOM's default LINEAR function, whose ``c - 0.5`` and
``w - 1`` move a window of centre ``(lo + hi) / 2`` and width ``hi - lo`` down a step:
"Full range" of 0..4095 showed 4094 white, as 4095. The windows the viewer makes now
allow for them (centre ``(lo + hi + 1) / 2``, width ``hi - lo + 1``); those shown
LINEAR_EXACT or SIGMOID, and the file's own windows, are as they were.
"""

import numpy as np
import pydicom
import pytest
import tifffile

from core.display import (
    AUTO_WINDOW_SAMPLES,
    LOOKUP_MIN_PIXELS,
    auto_window,
    image_auto_window,
    to_display,
    window_function,
)
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image, write_new_dicom

FULL_RANGE = (0.0, 100.0)
AUTO = (0.5, 99.5)


def _dicom_linear(x: float, c: float, w: float) -> float:
    """PS3.3 C.11.2.1.2.1 Default LINEAR Function, to grey levels in [0, 1]."""
    if x <= c - 0.5 - (w - 1) / 2:
        return 0.0
    if x > c - 0.5 + (w - 1) / 2:
        return 1.0
    return (x - (c - 0.5)) / (w - 1) + 0.5


def _twelve_bit(values: np.ndarray, **kwargs) -> XrayImage:
    pixels = values.astype(np.float32)
    return XrayImage(pixels, StoredMapping(bits_stored=12), auto_window(pixels), **kwargs)


def _every_value(copies_at_the_ends: int = 0, rows: int = 64) -> np.ndarray:
    """0..4095 and `copies_at_the_ends` more 0s and 4095s, shuffled, as `rows` rows."""
    ends = np.repeat(np.array([0, 4095]), copies_at_the_ends)
    values = np.random.default_rng(1).permutation(np.concatenate([np.arange(4096), ends]))
    return values.reshape(rows, -1)


def _grey_of(image: XrayImage, window: Window) -> dict[int, float]:
    grey = to_display(image, window)
    return {v: float(grey[image.pixels == v][0]) for v in (0, 1, 4094, 4095)}


def _assert_spans_0_to_4095(image: XrayImage, window: Window) -> None:
    assert window_function(image, window) == "LINEAR"
    grey = _grey_of(image, window)
    assert grey[0] == 0 and grey[4095] == 1
    assert 0 < grey[1] < grey[4094] < 1  # neither end shares its grey with its neighbour
    for value, level in grey.items():  # the standard's formula, of the numbers shown
        assert level == pytest.approx(_dicom_linear(value, window.center, window.width), abs=1e-6)


def test_full_range_shows_4094_and_4095_apart_and_0_black():
    image = _twelve_bit(_every_value())
    window = image_auto_window(image, percentiles=FULL_RANGE)
    assert window == Window(center=2048.0, width=4096.0)
    _assert_spans_0_to_4095(image, window)


def test_the_auto_windows_ends_are_black_and_white():
    # 100 more 0s and 4095s: the 0.5 and 99.5 percentiles are 0 and 4095 themselves
    image = _twelve_bit(_every_value(copies_at_the_ends=100, rows=24))
    window = image_auto_window(image, percentiles=AUTO)
    assert window == Window(center=2048.0, width=4096.0)
    _assert_spans_0_to_4095(image, window)


def test_the_ends_are_as_shown_through_the_table_of_stored_values():
    image = _twelve_bit(np.tile(_every_value(), (8, 8)))  # shown twice: looked up by code
    assert image.pixels.size >= LOOKUP_MIN_PIXELS
    window = image_auto_window(image, percentiles=FULL_RANGE)
    first, again = to_display(image, window), to_display(image, window)
    np.testing.assert_array_equal(first, again)
    _assert_spans_0_to_4095(image, window)


@pytest.mark.parametrize("percentiles", [FULL_RANGE, AUTO, (1.0, 60.0), (40.0, 99.5)])
def test_linear_shows_every_value_as_linear_exact_shows_the_percentiles(percentiles):
    image = _twelve_bit(_every_value())
    span = auto_window(image.pixels, percentiles=percentiles)  # black at low, white at high
    exact = Window(span.center, span.width, function="LINEAR_EXACT")
    shown = image_auto_window(image, percentiles=percentiles)
    np.testing.assert_allclose(to_display(image, shown), to_display(image, exact), atol=1e-6)


def test_a_read_images_default_window_spans_its_percentiles_under_linear(tmp_path):
    path = tmp_path / "ramp.tif"
    tifffile.imwrite(path, _every_value(copies_at_the_ends=100, rows=24).astype(np.uint16))
    image = read_image(path)
    assert image.window == image_auto_window(image, percentiles=AUTO)
    _assert_spans_0_to_4095(image, image.window)


def test_full_range_is_every_pixels_not_the_samples():
    values = np.random.default_rng(2).integers(1, 4094, (2048, 1024)).astype(np.float32)
    assert values.size > AUTO_WINDOW_SAMPLES  # subsampled
    values[0, 0], values[-1, -1] = 4095, 0  # pixels the sample leaves out
    values[5, 5], values[6, 6] = 4094, 1
    image = _twelve_bit(values)
    _assert_spans_0_to_4095(image, image_auto_window(image, percentiles=FULL_RANGE))


@pytest.mark.parametrize("function", ["LINEAR_EXACT", "SIGMOID"])
def test_windows_of_another_function_are_as_they_were(function):
    pixels = _every_value().astype(np.float32)
    file_window = Window(2000, 1000, function=function)
    image = XrayImage(
        pixels, StoredMapping(bits_stored=12), file_window, file_windows=(file_window,)
    )
    for percentiles in (FULL_RANGE, AUTO):
        window = image_auto_window(image, percentiles=percentiles)
        assert window == auto_window(pixels, percentiles=percentiles)
        assert window_function(image, window) == function


def test_a_float_or_rescaled_sources_windows_are_as_they_were():
    pixels = _every_value().astype(np.float32)
    float_image = XrayImage(pixels, StoredMapping(bits_stored=32, is_float=True), Window(0, 1))
    rescaled = XrayImage(pixels, StoredMapping(bits_stored=12, slope=0.5), Window(0, 1))
    for image in (float_image, rescaled):
        window = image_auto_window(image, percentiles=FULL_RANGE)
        assert window == auto_window(pixels, percentiles=FULL_RANGE)
        assert window_function(image, window) == "LINEAR_EXACT"


def test_the_files_own_window_is_read_and_shown_as_the_file_says(tmp_path):
    path = tmp_path / "windowed.dcm"
    stored = _every_value().astype(np.uint16)
    write_new_dicom(
        stored,
        path,
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=(0.5, 0.5),
        patient_name="",
        patient_id="",
        description="every 12-bit value",
        window=Window(2047.5, 4095),
    )
    assert (pydicom.dcmread(path).WindowCenter, pydicom.dcmread(path).WindowWidth) == (2047.5, 4095)
    image = read_image(path)
    assert image.window == image.file_windows[0] == Window(2047.5, 4095)
    grey = _grey_of(image, image.window)
    assert grey[4094] == grey[4095] == 1  # as the file's numbers say under LINEAR
    for value, level in grey.items():
        assert level == pytest.approx(_dicom_linear(value, 2047.5, 4095), abs=1e-6)
