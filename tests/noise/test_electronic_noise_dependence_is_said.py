"""Quanta measured from an image's noise say how much they hang on the electronic noise assumed."""

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image
from core.noise.electronic import electronic_noise_problem


def measured(photons, electronic, assumed=4.0):
    pixels = phantom_image((512, 512), photons_per_pixel=photons, electronic_noise=electronic)
    image = XrayImage(pixels.astype(np.float32), StoredMapping(bits_stored=12), Window(2048, 4096))
    return image, LowDoseSettings.measured_from(image, 0.25, electronic_noise=assumed)


def test_low_counts_measured_with_a_wrong_electronic_noise_are_warned_of():
    image, settings = measured(2000.0, 12.0)
    problem = electronic_noise_problem(image, settings)
    assert problem.startswith("the measured quanta depend on the electronic noise assumed, 4 ")
    assert problem.endswith("(give the detector's own electronic noise)")


def test_high_counts_hang_little_on_it():
    image, settings = measured(20_000.0, 4.0)
    assert electronic_noise_problem(image, settings) is None
    assert "electronic noise 4.0 quanta rms assumed (the measured quanta depend on it)" in (
        settings.describe()
    )
