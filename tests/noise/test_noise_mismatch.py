"""Entered quanta that contradict an image's noise: too noisy, or said noise-free but noisy."""

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image
from core.noise.noise_free import noise_free_problem


def image(photons):
    stored = phantom_image((384, 384), photons_per_pixel=photons, seed=0)
    return XrayImage(stored.astype(np.float32), StoredMapping(12), Window(2048, 4096))


def test_quanta_far_too_many_for_a_noisy_image_are_named():
    problem = noise_free_problem(image(20_000.0), LowDoseSettings(dose=0.25, photons_per_pixel=2e5))
    assert problem is not None and not problem.looks_noise_free
    assert "times the variance 200,000 quanta per pixel would give" in problem.text
    assert "higher than 25 %" in problem.text and "\n" not in problem.text


def test_a_noisy_image_said_to_be_noise_free_is_named():
    settings = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0, input_is_noisy=False)
    problem = noise_free_problem(image(20_000.0), settings)
    assert problem is not None and "said to be noise-free" in problem.text
    assert "lower than 25 %" in problem.text


def test_a_wrong_span_is_named_beside_a_noise_free_input():
    # A noise-free input's share changes with intensity as a wrong span's does: both named.
    settings = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0, max_attenuation=20.0)
    problem = noise_free_problem(image(20_000.0), settings)
    assert problem is not None and "looks noise-free" in problem.text
    assert "or the attenuation span 20 looks wrong" in problem.text


def test_right_settings_and_a_truly_noise_free_input_are_not_warned_of():
    right = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0)
    assert noise_free_problem(image(20_000.0), right) is None
    for photons in (1000.0, 20_000.0, 1e6):
        clean = LowDoseSettings(dose=0.25, photons_per_pixel=photons, input_is_noisy=False)
        assert noise_free_problem(image(None), clean) is None
    y, x = np.mgrid[0:384, 0:384]
    smooth = np.rint(200 + 3500 * (0.5 + 0.5 * np.sin(x / 60.0) * np.cos(y / 80.0)))
    smooth_image = XrayImage(smooth.astype(np.float32), StoredMapping(12), Window(2048, 4096))
    clean = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0, input_is_noisy=False)
    assert noise_free_problem(smooth_image, clean) is None
