"""A description gives t* to 4 significant digits: a nearly clean image's 0.16 is not 0.2."""

import dataclasses

import pytest

from core.denoise import DenoiseSettings, denoise_image


@pytest.mark.parametrize(
    ("t_start", "written"), [(0.1615, "0.1615"), (41.27, "41.27"), (50.0, "50")]
)
def test_the_description_keeps_t_stars_digits(tiny_model, noisy_phantom, t_start, written):
    result = denoise_image(noisy_phantom, tiny_model, DenoiseSettings(device="cpu", views=1))
    text = dataclasses.replace(result, t_start=t_start).description()
    assert f", t* {written}; " in text
