"""Thinning an 8-bit image adds the lower dose's noise even where it is under half a step.

Rounding the output erases added noise under about half a step, so taking a step's
``1/12`` out of it as well left such pixels as they were: at 20,000 quanta the 50 % dose
held 30-35 % too little variance wherever the full-dose noise was under 0.4 of a step
(0.3 here at 10, 0.27 at 3).
"""

import numpy as np
import pytest

from core.noise import DetectorModel, simulate_low_dose

DETECTOR = DetectorModel.from_range(0, 255, photons_per_pixel=20_000.0, electronic_noise=4.0)
DRAWS = 300


def per_pixel_variance(pixels: np.ndarray) -> float:
    return float(np.rint(pixels).var(axis=0).mean())


@pytest.mark.parametrize("value", [3.0, 10.0, 25.0, 40.0, 60.0, 150.0])
@pytest.mark.parametrize("dose", [0.5, 0.25])
def test_a_thinned_8_bit_ramp_holds_the_variance_of_an_acquisition(value, dose):
    # Clean values spread over one stored step, each drawn DRAWS times.
    clean = np.tile(value + (np.arange(200) + 0.5) / 200, (DRAWS, 1))
    rng = np.random.default_rng(0)
    full = np.rint(
        simulate_low_dose(clean, dose=1.0, detector=DETECTOR, rng=rng, input_is_noisy=False)
    )
    acquired = simulate_low_dose(clean, dose=dose, detector=DETECTOR, rng=rng, input_is_noisy=False)
    thinned = simulate_low_dose(full, dose=dose, detector=DETECTOR, rng=rng, input_step=1.0)
    ratio = per_pixel_variance(thinned) / per_pixel_variance(acquired)
    assert ratio == pytest.approx(1.0, abs=0.15)  # 0.65-0.70 at 3-25 and dose 0.5 before


def test_a_dose_just_under_full_changes_an_8_bit_image():
    # 90 % of the dose adds a ninth of the noise: 0.04 of a step squared at 60, which the
    # old scale (0 wherever rounding's 1/12 exceeded the added variance) left out entirely.
    clean = np.tile(60.0 + (np.arange(200) + 0.5) / 200, (DRAWS, 1))
    rng = np.random.default_rng(1)
    full = np.rint(
        simulate_low_dose(clean, dose=1.0, detector=DETECTOR, rng=rng, input_is_noisy=False)
    )
    thinned = np.rint(simulate_low_dose(full, dose=0.9, detector=DETECTOR, rng=rng, input_step=1.0))
    added = (thinned - full).var()
    wanted = DETECTOR.variance(clean[0]).mean() * (1 / 0.9 - 1)
    assert added == pytest.approx(wanted, rel=0.2)
