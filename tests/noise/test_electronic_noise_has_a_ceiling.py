"""Electronic noise above MAX_ELECTRONIC_NOISE is refused in one line, as too many quanta are.

1e160 quanta rms was taken and overflowed (its square) in the simulation: "an unexpected
OverflowError (a bug)".
"""

import numpy as np
import pytest

from core.noise.dose import (
    MAX_ELECTRONIC_NOISE,
    DetectorModel,
    LowDoseSettings,
    simulate_counts,
    simulate_low_dose,
)


def _settings(noise):
    return LowDoseSettings(dose=0.5, electronic_noise=noise)


def _detector(noise):
    return DetectorModel(0.0, 100.0, electronic_noise=noise)


def _counts(noise):
    return simulate_counts(
        np.full(4, 1000.0), dose=0.5, electronic_noise=noise, rng=np.random.default_rng(0)
    )


@pytest.mark.parametrize("make", [_settings, _detector, _counts])
@pytest.mark.parametrize("noise", [1e160, MAX_ELECTRONIC_NOISE * (1 + 1e-12)])
def test_more_than_the_largest_is_refused(make, noise):
    with pytest.raises(ValueError, match=r"^the electronic noise must be at most 1000 quanta rms"):
        make(noise)


@pytest.mark.parametrize("make", [_settings, _detector, _counts])
def test_the_largest_is_taken(make):
    make(MAX_ELECTRONIC_NOISE)


def test_the_largest_simulates_finite_values():
    detector = DetectorModel.from_range(0.0, 4095.0, electronic_noise=MAX_ELECTRONIC_NOISE)
    pixels = np.linspace(0.0, 4095.0, 64 * 64).reshape(64, 64)
    simulated = simulate_low_dose(
        pixels, dose=0.25, detector=detector, rng=np.random.default_rng(0), input_step=1.0
    )
    assert np.all(np.isfinite(simulated))
