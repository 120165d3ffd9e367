"""Floating-point images have no natural scale: denoising k * image gives k * the result."""

import numpy as np
import pytest

from core.denoise import DenoiseSettings, ModelDomain, denoise_image, estimate_image_noise
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image

NOISE = 0.02
"""Gaussian noise std of the test image, on its [0, 1] scale."""


def float_image(pixels: np.ndarray) -> XrayImage:
    pixels = np.asarray(pixels, dtype=np.float32)
    return XrayImage(
        pixels,
        StoredMapping(32, is_float=True),
        Window(float(pixels.mean()), float(np.ptp(pixels))),
        source_format="tiff",
    )


@pytest.fixture(scope="module")
def noisy() -> np.ndarray:
    """The clean phantom on a [0, 1] scale with white Gaussian noise: no log detector fits."""
    clean = phantom_image((96, 96), seed=2).astype(np.float64) / 4095
    return clean + np.random.default_rng(0).normal(0.0, NOISE, clean.shape)


@pytest.mark.parametrize("scale", [1e-6, 1e6])
def test_a_scaled_float_image_denoises_to_the_scaled_result(tiny_model, noisy, scale):
    """Air kerma in Gy (1e-6) and counts (1e6) are as much radiographs as [0, 1] values.

    The noise floor of float data was once an absolute 1e-6: at scale 1e-6 it lay far
    above the noise (2e-8), t* went from 93 to 462 and the result was noisier than the
    input.
    """
    settings = DenoiseSettings(views=1, device="cpu", precision="float32")
    unit = denoise_image(float_image(noisy), tiny_model, settings)
    scaled = denoise_image(float_image(noisy * scale), tiny_model, settings)
    assert unit.noise_before.detector is None  # the noise-level function's stabiliser
    assert scaled.t_start == pytest.approx(unit.t_start, rel=1e-4)
    assert scaled.noise_std_model == pytest.approx(unit.noise_std_model, rel=1e-4)
    np.testing.assert_allclose(
        scaled.image.pixels / scale, unit.image.pixels, rtol=0, atol=1e-3 * NOISE
    )


def test_the_map_to_the_model_domain_does_not_depend_on_the_scale(noisy):
    unit = float_image(noisy)
    expected = ModelDomain.from_image(unit, estimate_image_noise(unit)).noise_std
    for scale in (1e-9, 1e-6, 1e3, 1e9):
        image = float_image(noisy * scale)
        domain = ModelDomain.from_image(image, estimate_image_noise(image))
        assert domain.noise_std == pytest.approx(expected, rel=1e-4)
        assert max(domain.stabilizer.end_sigmas) / scale < 2 * NOISE  # no floor above the noise
