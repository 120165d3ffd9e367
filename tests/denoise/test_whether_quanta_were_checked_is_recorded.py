"""A denoise records whether it could read the quanta behind the image at all: where no log
detector is recognised in its noise, no low-quanta warning means nothing, and says so."""

import numpy as np

from core.denoise import DenoiseSettings, denoise_image
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image


def _flat_noise_image() -> XrayImage:
    """A ramp with white noise of one std everywhere: no log detector's noise."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(500.0, 3500.0, 96)[None, :] * np.ones((96, 1))
    pixels = np.round(ramp + rng.normal(0.0, 20.0, ramp.shape)).astype(np.float32)
    return XrayImage(pixels, StoredMapping(12), Window(2048, 4096))


def test_a_log_detectors_image_is_checked_and_a_flat_noise_one_is_not(tiny_model):
    settings = DenoiseSettings(views=1)
    phantom = XrayImage(
        phantom_image((96, 96), photons_per_pixel=5000, seed=1).astype(np.float32),
        StoredMapping(12),
        Window(2048, 4096),
    )
    checked = denoise_image(phantom, tiny_model, settings)
    assert checked.noise_before.detector is not None
    assert checked.quanta_checked and checked.summary()["low_quanta_checked"] is True
    flat = denoise_image(_flat_noise_image(), tiny_model, settings)
    assert flat.noise_before.detector is None
    assert flat.quanta_checked is False and flat.low_quanta is None
    assert flat.summary()["low_quanta_checked"] is False
