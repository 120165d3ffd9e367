"""A float image whose values reach near float32's largest is windowed in float64: a ramp.

In float32, a window of +-3e38 has a width beyond the largest float32 (inf), and every
pixel came out the same grey, with an overflow warning.
"""

import numpy as np
import pytest

from core.display import auto_window, to_display
from core.image import StoredMapping, Window, XrayImage


def _float_image(pixels: np.ndarray) -> XrayImage:
    return XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=32, is_float=True),
        window=auto_window(pixels, percentiles=(0, 100)),
    )


@pytest.mark.parametrize("function", [None, "LINEAR", "LINEAR_EXACT", "SIGMOID"])
def test_a_span_of_plus_minus_3e38_is_a_ramp(function):
    pixels = np.linspace(-3e38, 3e38, 64 * 64).reshape(64, 64).astype(np.float32)
    image = _float_image(pixels)
    window = Window(image.window.center, image.window.width, function=function)
    grey = to_display(image, window).ravel()
    assert grey.dtype == np.float32 and np.all(np.isfinite(grey))
    assert np.all(np.diff(grey) >= 0)
    ends = (0.12, 0.88) if function == "SIGMOID" else (0.0, 1.0)  # 1 / (1 + e^2) at c - w/2
    assert (grey[0], grey[-1]) == pytest.approx(ends, abs=0.01)
    assert grey[grey.size // 2] == pytest.approx(0.5, abs=0.01)


def test_values_near_the_largest_float32_under_a_narrow_window():
    pixels = np.array([[3.0e38, 3.2e38, 3.4e38]], np.float32)
    image = _float_image(pixels)
    np.testing.assert_allclose(to_display(image), [[0.0, 0.5, 1.0]], atol=1e-6)
    far = Window(center=-3e38, width=1e38)  # every pixel far above it: white
    np.testing.assert_array_equal(to_display(image, far), [[1.0, 1.0, 1.0]])
