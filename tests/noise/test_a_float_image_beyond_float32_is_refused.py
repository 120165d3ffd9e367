"""A float image whose simulation would leave float32's range is refused, not written with inf.

A float TIFF spanning +-3e38 was simulated with exit 0 and 17 infinite pixels in its output
(the line-integral cap and the noise reach past the input's range, and the float64 values
were cast to float32 unchecked).
"""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise.dose import LowDoseSettings, simulate_low_dose_image

SETTINGS = LowDoseSettings(dose=0.25)


def _float_image(pixels: np.ndarray) -> XrayImage:
    return XrayImage(
        pixels=pixels.astype(np.float32),
        mapping=StoredMapping(bits_stored=32, is_float=True),
        window=Window(0.0, 1.0),
    )


RAMP = np.linspace(-3.0, 3.0, 64 * 64).reshape(64, 64)


def test_a_span_of_plus_minus_3e38_is_refused_in_one_line():
    with pytest.raises(ValueError, match=r"beyond the largest float32 \(3.4e\+38\)") as caught:
        simulate_low_dose_image(_float_image(RAMP * 1e38), SETTINGS)
    assert "\n" not in str(caught.value)


def test_the_same_image_scaled_down_simulates_the_same():
    # What the refusal advises: a float image's values only set the attenuation scale.
    small = simulate_low_dose_image(_float_image(RAMP), SETTINGS).pixels
    large = simulate_low_dose_image(_float_image(RAMP * 1e37), SETTINGS).pixels
    assert np.all(np.isfinite(large))
    scaled = large / np.float32(1e37)
    # The same draws; a count on the edge between two integers may round the other way.
    assert np.mean(np.isclose(scaled, small, rtol=1e-5, atol=1e-5)) > 0.99
    np.testing.assert_allclose(scaled, small, atol=1e-3)
