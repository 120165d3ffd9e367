"""The app estimates an image's noise without its pixel padding, as the denoiser does."""

import numpy as np

from core.image import Padding, StoredMapping, Window, XrayImage
from core.noise import NoiseEstimate, estimate_noise_sigma, phantom_image
from xraygui.analysis import noise_estimate, noise_sigma


def _padded():
    stored = phantom_image((256, 256), photons_per_pixel=20000.0, seed=2).astype(np.float32)
    stored[:, :40] = 0.0  # a collimated border, declared as padding
    mask = np.zeros(stored.shape, bool)
    mask[:, :40] = True
    padding = Padding(0, 0, mask, np.zeros(int(mask.sum()), np.int64))
    return XrayImage(stored, StoredMapping(bits_stored=12), Window(2048, 4096), padding=padding)


def test_the_noise_shown_and_measured_leaves_the_padding_out():
    image = _padded()
    anatomy = NoiseEstimate.from_pixels(image.pixels, exclude=image.padding_mask)
    assert NoiseEstimate.from_pixels(image.pixels).sigma != anatomy.sigma  # padding matters
    assert noise_estimate(image).sigma == anatomy.sigma
    assert noise_sigma(image) == estimate_noise_sigma(image.pixels, exclude=image.padding_mask)
    assert noise_sigma(image) != estimate_noise_sigma(image.pixels)
