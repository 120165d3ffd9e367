"""Quanta entered 2 to 4 times too few are warned of, and the warning points the right way.

Before, an image taken at 20,000 quanta and simulated as if taken at 8,000 (its output
2.4 times as noisy as the dose it was labelled with) got no warning, and at 5,000 one that
called it noise-free and suggested --noise-free-input, which adds more noise still.
"""

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image
from core.noise.noise_free import noise_free_problem


def image(photons):
    stored = phantom_image((512, 512), photons_per_pixel=photons, seed=0)
    return XrayImage(stored.astype(np.float32), StoredMapping(12), Window(2048, 4096))


def entered(photons):
    return LowDoseSettings(dose=0.25, photons_per_pixel=photons)


def test_quanta_entered_too_few_say_the_dose_is_lower_than_labelled():
    taken = image(20_000.0)
    assert noise_free_problem(taken, entered(20_000.0)) is None
    problem = noise_free_problem(taken, entered(8_000.0))
    assert problem is not None and not problem.looks_noise_free
    assert "8,000 quanta per pixel" in problem.text and "taken at more quanta" in problem.text
    assert problem.text.endswith("the simulated dose is then lower than 25 %")


def test_far_too_few_name_both_a_noise_free_image_and_more_quanta():
    problem = noise_free_problem(image(20_000.0), entered(4_000.0))
    assert problem.looks_noise_free
    assert "looks noise-free" in problem.text and "or it was taken at more quanta" in problem.text
