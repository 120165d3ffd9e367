"""Rounding to few stored bits is neither measured as quantum noise nor passed on as it."""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise import DetectorModel, LowDoseSettings, phantom_image, simulate_low_dose

N0, S = 20_000.0, 4.0


def test_an_8_bit_phantom_s_quanta_are_measured_without_its_rounding():
    pixels = phantom_image((768, 768), photons_per_pixel=N0, seed=3, bits_stored=8)
    image = XrayImage(pixels.astype(np.float32), StoredMapping(bits_stored=8), Window(128, 256))
    measured = LowDoseSettings.measured_from(image, 0.25).photons_per_pixel
    assert measured == pytest.approx(N0, rel=0.08)  # 16,079 (-20 %) with the rounding counted


def acquire(clean_l, dose, rng, detector):
    counts = rng.poisson(dose * N0 * np.exp(-clean_l)) + rng.normal(0.0, S, clean_l.shape)
    line = -np.log(np.maximum(counts, 1.0) / (dose * N0))
    return np.clip(np.rint(detector.values(line)), 0, 255)


def test_thinning_an_8_bit_image_leaves_out_its_rounding_noise():
    detector = DetectorModel.from_range(0, 255, photons_per_pixel=N0, electronic_noise=S)
    rng = np.random.default_rng(0)
    clean_l = rng.uniform(0.5, 1.5, 400_000)  # clean values over many stored steps
    full = acquire(clean_l, 1.0, rng, detector)
    truth = acquire(clean_l, 0.25, rng, detector) - detector.values(clean_l)

    def excess(step):
        simulated = simulate_low_dose(
            full, dose=0.25, detector=detector, rng=np.random.default_rng(1), input_step=step
        )
        residual = np.clip(np.rint(simulated), 0, 255) - detector.values(clean_l)
        return residual.var() / truth.var()

    assert excess(0.0) > 1.06  # the input's rounding passed on: 12-15 % too much
    assert excess(1.0) == pytest.approx(1.0, abs=0.03)
