"""The strength a description records, given back, is the strength that was used.

Before, it was written to 6 significant digits (``:g``): ``--strength 1.2345678`` was
recorded as ``strength 1.23457``, and a rerun with that value changed 8 pixels.
"""

import re

import numpy as np
import pytest

from core.denoise import DenoiseSettings, denoise_image


@pytest.mark.parametrize(
    ("strength", "recorded"),
    [
        (1.0, "strength 1"),
        (1, "strength 1"),
        (0.8, "strength 0.8"),
        (1.2345678, "strength 1.2345678"),
        (0.1 + 0.2, "strength 0.30000000000000004"),
        (2.5e-7, "strength 2.5e-07"),
    ],
)
def test_the_strength_is_written_in_full_and_short(strength, recorded):
    described = DenoiseSettings(strength=strength).describe()
    assert f", {recorded}, " in described
    assert float(re.search(r"strength (\S+),", described).group(1)) == strength


def test_a_rerun_with_the_recorded_strength_gives_the_same_pixels(
    tiny_model, noisy_phantom, make_image
):
    # Values between the stored ones: the result is not rounded, so any change shows.
    image = make_image(noisy_phantom.pixels + 0.25)

    def run(strength):
        settings = DenoiseSettings(strength=strength, tile_size=64, tile_overlap=8, device="cpu")
        return denoise_image(image, tiny_model, settings)

    first = run(1.2345678)
    recorded = float(re.search(r"strength (\S+),", first.description()).group(1))
    np.testing.assert_array_equal(run(recorded).image.pixels, first.image.pixels)


def test_the_strength_limit_names_the_strength_in_full():
    with pytest.raises(ValueError, match=r"^--strength 123456.789 puts the start"):
        DenoiseSettings(strength=123456.789).check_strength(1.0, 1000.0)
