import math
from dataclasses import replace

import numpy as np
import pytest

from core.display import auto_window, to_display, window_function
from core.image import StoredMapping, Window, XrayImage


def make_image(pixels, *, photometric="MONOCHROME2", is_float=False, **changes) -> XrayImage:
    pixels = np.asarray(pixels, dtype=np.float32)
    return XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=32 if is_float else 12, is_float=is_float),
        window=Window(center=100.0, width=11.0),
        photometric=photometric,
        **changes,
    )


def dicom_linear(x: float, c: float, w: float) -> float:
    """PS3.3 C.11.2.1.2.1 written out as the standard states it (ymin 0, ymax 1)."""
    if x <= c - 0.5 - (w - 1) / 2:
        return 0.0
    if x > c - 0.5 + (w - 1) / 2:
        return 1.0
    return (x - (c - 0.5)) / (w - 1) + 0.5


RAMP = np.arange(80, 121, 0.5, dtype=np.float32).reshape(1, -1)


@pytest.mark.parametrize(("center", "width"), [(100.0, 11.0), (100.0, 2.0), (2047.5, 4096.0)])
def test_linear_window_is_the_dicom_formula(center, width):
    grey = to_display(make_image(RAMP), Window(center, width))
    expected = [dicom_linear(float(x), center, width) for x in RAMP.ravel()]
    np.testing.assert_allclose(grey.ravel(), expected, atol=1e-6)
    assert grey.dtype == np.float32


def test_image_window_is_the_default():
    image = make_image(RAMP)
    np.testing.assert_array_equal(to_display(image), to_display(image, image.window))


def test_width_one_is_a_threshold_at_c_minus_half():
    grey = to_display(make_image([[99.0, 99.5, 99.6, 100.0]]), Window(100.0, 1.0))
    np.testing.assert_array_equal(grey, [[0.0, 0.0, 1.0, 1.0]])


def test_float_sources_use_linear_exact():
    pixels = np.array([[0.0, 0.25, 0.5, 0.75, 1.0]])
    grey = to_display(make_image(pixels, is_float=True), Window(0.5, 0.5))
    np.testing.assert_allclose(grey, [[0.0, 0.0, 0.5, 1.0, 1.0]], atol=1e-6)


def test_monochrome1_is_inverted_after_the_window():
    window = Window(100.0, 11.0)
    mono2 = to_display(make_image(RAMP), window)
    mono1 = to_display(make_image(RAMP, photometric="MONOCHROME1"), window)
    np.testing.assert_allclose(mono1, 1 - mono2, atol=1e-7)
    assert mono1[0, 0] == 1.0  # low values are white in MONOCHROME1


def test_user_invert_comes_last():
    window = Window(100.0, 11.0)
    image = make_image(RAMP, photometric="MONOCHROME1")
    np.testing.assert_allclose(
        to_display(image, window, invert=True), to_display(make_image(RAMP), window), atol=1e-7
    )


def test_voi_lut_is_used_without_an_explicit_window():
    table = np.array([0, 10, 200, 255], dtype=np.uint16)
    pixels = [[-5.0, 4.0, 5.0, 6.4, 7.0, 50.0]]
    image = make_image(pixels, voi_lut=table, voi_lut_first=5, voi_lut_bits=8)
    expected = np.array([[0, 0, 0, 10, 200, 255]]) / 255
    np.testing.assert_allclose(to_display(image), expected, atol=1e-7)
    np.testing.assert_allclose(
        to_display(image, Window(100.0, 11.0)), to_display(make_image(pixels)), atol=1e-7
    )


def test_voi_lut_then_monochrome1():
    table = np.array([0, 10, 200, 255], dtype=np.uint16)
    image = make_image(
        [[5.0, 8.0]], photometric="MONOCHROME1", voi_lut=table, voi_lut_first=5, voi_lut_bits=8
    )
    np.testing.assert_allclose(to_display(image), [[1.0, 0.0]], atol=1e-7)


def test_pixels_are_never_changed():
    image = make_image(RAMP, photometric="MONOCHROME1")
    before = image.pixels.copy()
    to_display(image, invert=True)
    np.testing.assert_array_equal(image.pixels, before)


def test_auto_window_spans_the_percentiles():
    pixels = np.arange(1001, dtype=np.float32).reshape(7, 143)  # 0..1000 ramp
    window = auto_window(pixels, percentiles=(10, 90))
    assert (window.low, window.high) == pytest.approx((100.0, 900.0))


def test_auto_window_ignores_non_finite_values_and_handles_constant_images():
    pixels = np.full((8, 8), 5.0, dtype=np.float32)
    pixels[0, 0] = np.nan
    pixels[0, 1] = np.inf
    # constant: mid-grey under LINEAR, 0 to 2 v + 1 for an integer v
    assert auto_window(pixels) == Window(center=5.5, width=11.0)


def test_auto_window_subsamples_large_images_consistently():
    rng = np.random.default_rng(0)
    pixels = rng.normal(1000, 50, size=(2048, 1024)).astype(np.float32)
    window = auto_window(pixels)
    low, high = np.percentile(pixels, [0.5, 99.5])
    assert window.low == pytest.approx(low, abs=5)
    assert window.high == pytest.approx(high, abs=5)


@pytest.mark.parametrize("percentiles", [(50, 50), (90, 10), (-1, 50), (0, 101)])
def test_auto_window_rejects_bad_percentiles(percentiles):
    with pytest.raises(ValueError, match="percentiles"):
        auto_window(np.zeros((4, 4)), percentiles=percentiles)


def test_auto_window_needs_a_finite_value():
    with pytest.raises(ValueError, match="finite"):
        auto_window(np.full((4, 4), np.nan))


def dicom_sigmoid(x: float, c: float, w: float) -> float:
    """PS3.3 C.11.2.1.3.1 written out as the standard states it (ymin 0, ymax 1)."""
    return 1 / (1 + math.exp(-4 * (x - c) / w))


def dicom_linear_exact(x: float, c: float, w: float) -> float:
    """PS3.3 C.11.2.1.3.2 written out as the standard states it (ymin 0, ymax 1)."""
    if x <= c - w / 2:
        return 0.0
    if x > c + w / 2:
        return 1.0
    return (x - c) / w + 0.5


@pytest.mark.parametrize(
    ("function", "reference"), [("SIGMOID", dicom_sigmoid), ("LINEAR_EXACT", dicom_linear_exact)]
)
@pytest.mark.parametrize(("center", "width"), [(100.0, 11.0), (100.0, 0.5), (95.25, 30.0)])
def test_voi_lut_functions_are_the_dicom_formulas(function, reference, center, width):
    grey = to_display(make_image(RAMP), Window(center, width, function=function))
    expected = [reference(float(x), center, width) for x in RAMP.ravel()]
    np.testing.assert_allclose(grey.ravel(), expected, atol=1e-6)


def test_a_window_without_a_function_takes_the_images():
    # A window the user drags names no function: the file's SIGMOID still applies.
    image = replace(make_image(RAMP), window=Window(100.0, 11.0, function="SIGMOID"))
    dragged = Window(center=98.0, width=20.0)
    assert window_function(image, dragged) == "SIGMOID"
    expected = [dicom_sigmoid(float(x), 98.0, 20.0) for x in RAMP.ravel()]
    np.testing.assert_allclose(to_display(image, dragged).ravel(), expected, atol=1e-6)
    linear = Window(98.0, 20.0, function="LINEAR")
    np.testing.assert_array_equal(to_display(image, linear), to_display(make_image(RAMP), linear))


@pytest.mark.parametrize(("is_float", "function"), [(False, "LINEAR"), (True, "LINEAR_EXACT")])
def test_the_default_function_is_linear_and_linear_exact_for_floats(is_float, function):
    image = make_image(RAMP, is_float=is_float)
    assert window_function(image, Window(0.0, 1.0)) == function


def test_an_unknown_function_is_refused():
    with pytest.raises(ValueError, match="SIGMOID"):
        Window(0.0, 1.0, function="LOG")


def test_the_explanation_is_a_label_not_part_of_the_window():
    assert Window(1.0, 2.0, explanation="BONE") == Window(1.0, 2.0)


def test_auto_window_leaves_padding_out():
    pixels = np.arange(1001, dtype=np.float32).reshape(7, 143)  # 0..1000 ramp
    padding = pixels < 500
    window = auto_window(pixels, percentiles=(0, 100), padding=padding)
    assert (window.low, window.high) == (500.0, 1000.0)
    everything = auto_window(pixels, percentiles=(0, 100), padding=np.ones_like(padding))
    assert everything == auto_window(pixels, percentiles=(0, 100))


def test_auto_window_padding_must_match_the_pixels():
    with pytest.raises(ValueError, match="shape"):
        auto_window(np.zeros((4, 4)), padding=np.zeros((4, 5), dtype=bool))
