"""An attenuation span beyond MAX_ATTENUATION is refused; the detector's variance never overflows.

``simulate --max-attenuation 1000`` printed numpy's "divide by zero" and "overflow"
warnings and wrote an output: every value past a line integral of about 30 stood for
under one quantum of the most any detector counts.
"""

import warnings

import numpy as np
import pytest

from core.noise import DetectorModel, LowDoseSettings
from core.noise.dose import MAX_ATTENUATION


def test_a_span_beyond_the_largest_is_refused_in_words():
    assert LowDoseSettings(dose=0.5, max_attenuation=MAX_ATTENUATION).max_attenuation == 20.0
    with pytest.raises(ValueError) as refused:
        LowDoseSettings(dose=0.5, photons_per_pixel=1000.0, max_attenuation=1000.0)
    message = str(refused.value)
    assert message.startswith("the maximum attenuation must be at most 20, got 1000")
    assert "\n" not in message


@pytest.mark.parametrize("span", [7.0, 1000.0])
@pytest.mark.parametrize("photons", [1e-300, 1.0, 1000.0, 1e12])
def test_the_variance_is_finite_and_warns_of_nothing(span, photons):
    detector = DetectorModel.from_range(
        0.0, 4095.0, photons_per_pixel=photons, max_attenuation=span, electronic_noise=4.0
    )
    values = np.array([-1e6, 0.0, 100.0, 2048.0, 4095.0, 1e6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's floating-point warnings included
        variance = detector.variance(values)
    assert np.all(np.isfinite(variance)) and np.all(variance >= 0)
    assert np.all(np.diff(variance) >= 0)  # more attenuation, fewer quanta, more noise


@pytest.mark.parametrize("electronic", [0.0, 4.0, 250.0])
def test_the_variance_is_the_delta_methods_where_the_quanta_are_many(electronic):
    detector = DetectorModel.from_range(
        0.0, 4095.0, photons_per_pixel=20_000.0, electronic_noise=electronic
    )
    values = np.linspace(0.0, 4095.0, 9)
    quanta = 20_000.0 * np.exp(-values / 4095.0 * 7.0)
    expected = (4095.0 / 7.0) ** 2 * (quanta + electronic**2) / quanta**2
    np.testing.assert_allclose(detector.variance(values), expected, rtol=1e-12)
