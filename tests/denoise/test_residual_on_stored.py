"""The result of an image read from a file is the image written; its residual noise is of it."""

import numpy as np
import pytest
from PIL import Image

from core.denoise import DenoiseSettings, DenoiseStep, denoise_steps
from core.io import read_image, write_image
from core.noise import estimate_noise_sigma, phantom_image


@pytest.fixture
def film(tmp_path):
    """An 8-bit PNG of a noisy phantom, as read."""
    stored = phantom_image((96, 96), bits_stored=8, seed=4, photons_per_pixel=3000)
    path = tmp_path / "film.png"
    Image.fromarray(stored.astype(np.uint8)).save(path)
    return read_image(path)


def denoised(image, model):
    events = list(denoise_steps(image, model, DenoiseSettings(n_steps=2, views=1, device="cpu")))
    steps = [event for event in events if isinstance(event, DenoiseStep)]
    return events[-1], steps[-1]


def test_the_residual_noise_is_that_of_the_file_written(tiny_model, film, tmp_path):
    result, last = denoised(film, tiny_model)
    pixels = result.image.pixels
    np.testing.assert_array_equal(pixels, np.rint(pixels))  # on the 8-bit grid
    path = write_image(result.image, tmp_path / "out.png", description="test")
    written = read_image(path).pixels
    np.testing.assert_array_equal(written, pixels)
    assert result.noise_after == estimate_noise_sigma(written)
    # The timeline's last step shows the result itself.
    np.testing.assert_array_equal(last.image, pixels)
    np.testing.assert_array_equal(last.x0_pred, pixels)


def test_an_input_between_the_stored_values_gives_a_result_between_them(tiny_model, film):
    """A benchmark's noisy input in memory: its result is compared with other methods'
    floating-point outputs, like with like."""
    rng = np.random.default_rng(0)
    image = film.with_pixels(film.pixels + rng.uniform(-0.5, 0.5, film.shape))
    result, _ = denoised(image, tiny_model)
    pixels = result.image.pixels
    assert not np.array_equal(pixels, np.rint(pixels))
    assert result.noise_after == estimate_noise_sigma(pixels)
