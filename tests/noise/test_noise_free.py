"""Whether an image holds the noise of the quanta a simulation is given."""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image
from core.noise.noise_free import NOISE_FREE_SHARE, noise_free_problem, noise_share


def image(photons):
    stored = phantom_image((384, 384), photons_per_pixel=photons, seed=0)
    return XrayImage(stored.astype(np.float32), StoredMapping(12), Window(2048, 4096))


def test_an_image_holds_the_variance_of_the_quanta_it_was_taken_with():
    settings = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0)
    assert noise_share(image(20_000.0), settings) == pytest.approx(1.0, abs=0.15)
    assert noise_share(image(5_000.0), settings) == pytest.approx(4.0, rel=0.15)
    assert noise_free_problem(image(20_000.0), settings) is None


def test_a_noise_free_image_is_named_as_such_unless_the_settings_say_so():
    settings = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0)
    clean = image(None)
    assert noise_share(clean, settings) < 0.01 < NOISE_FREE_SHARE
    problem = noise_free_problem(clean, settings)
    assert problem.looks_noise_free
    assert problem.text.startswith("its noise is ") and "20,000 quanta per pixel" in problem.text
    assert "looks noise-free" in problem.text
    noise_free = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0, input_is_noisy=False)
    assert noise_free_problem(clean, noise_free) is None


def test_a_noisy_image_said_to_be_noise_free_is_named_with_its_share_in_plain_percent():
    said_noise_free = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0, input_is_noisy=False)
    problem = noise_free_problem(image(20_000.0), said_noise_free)
    assert problem.text.startswith("it is said to be noise-free but holds ")
    percent = problem.text.removeprefix("it is said to be noise-free but holds ").split(" %")[0]
    assert "e" not in percent and 85 <= float(percent) <= 115  # was "1e+02"
