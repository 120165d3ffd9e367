"""Results are clipped to the values the data can take, not to the container's range."""

import numpy as np
import pytest
from PIL import Image

from core.denoise import DenoiseSettings, denoise_image, open_model
from core.io import read_image
from core.noise import phantom_image
from core.noise.value_range import value_range

TOP_12_BITS = 4095


@pytest.fixture(scope="module")
def saturated_12_in_16(tmp_path_factory):
    """A 16-bit PNG of 12-bit data (0..4095), its left third saturated at 4095."""
    stored = phantom_image((96, 96), seed=3, photons_per_pixel=3000)
    stored[:, :32] = TOP_12_BITS
    path = tmp_path_factory.mktemp("png") / "sat12in16.png"
    Image.fromarray(stored.astype(np.uint16)).save(path)
    return read_image(path)


def test_the_png_holds_12_bit_data_in_a_16_bit_container(saturated_12_in_16):
    assert saturated_12_in_16.mapping.bits_stored == 16
    assert value_range(saturated_12_in_16).describe() == "0 to 4095 in 12 of its 16 bits"


@pytest.mark.parametrize("n_steps", [1, 3])
def test_no_denoised_pixel_lies_above_the_datas_range(saturated_12_in_16, n_steps):
    """The shipped model once wrote up to 4181 into such a file."""
    model = open_model(None)
    settings = DenoiseSettings(views=1, device="cpu", n_steps=n_steps)
    result = denoise_image(saturated_12_in_16, model, settings)
    assert result.image.pixels.max() <= TOP_12_BITS
    assert result.image.pixels.min() >= 0
