"""The noise-free PSNR floor is not given where the reference's noise rests on few blocks."""

import math

import numpy as np
import pytest

from core.image import Padding, StoredMapping, Window, XrayImage
from core.metrics import MIN_NOISE_BLOCKS, noise_floor_problem, noise_free_psnr
from core.noise import NoiseEstimate, estimate_noise_sigma, phantom_image

PAD = 4095


def image_of(stored, *, padded):
    return XrayImage(
        stored.astype(np.float32),
        StoredMapping(bits_stored=12),
        Window(2048, 4096),
        photometric="MONOCHROME2",
        padding=Padding.from_stored(stored, PAD, PAD) if padded else None,
    )


@pytest.fixture(scope="module")
def phantom():
    """The review's ph256: 20,000 quanta, seed 0, with its noise-free twin."""
    noisy = phantom_image((256, 256), photons_per_pixel=20_000.0, seed=0)
    return noisy, phantom_image((256, 256), seed=0)


@pytest.fixture(scope="module")
def pad99(phantom):
    """The review's pad99: a 26 x 26 anatomy, the other 99 % pixel padding."""
    stored = phantom[0].copy()
    padding = np.ones(stored.shape, bool)
    padding[115:141, 115:141] = False
    stored[padding] = PAD
    return stored


def floor_and_truth(stored, clean, *, padded):
    image = image_of(stored, padded=padded)
    noise = NoiseEstimate.of_image(image)
    mask = image.padding_mask
    floor = noise_free_psnr(image.pixels, noise.sigma_at, data_range=4095, exclude=mask)
    kept = np.ones(stored.shape, bool) if mask is None else ~mask
    error = (stored.astype(np.float64) - clean)[kept]
    return noise, floor, 10 * math.log10(4095**2 / np.mean(error**2))


def test_a_small_anatomy_in_padding_gets_no_floor(phantom, pad99):
    noise, floor, truth = floor_and_truth(pad99, phantom[1], padded=True)
    assert abs(floor - truth) > 1.0  # why it must not be given: 35.5 dB against 39.1
    assert noise.nlf.n_blocks < MIN_NOISE_BLOCKS
    problem = noise_floor_problem(noise.nlf.n_blocks)
    assert problem.startswith(f"the reference's noise was measured in only {noise.nlf.n_blocks}")
    assert "\n" not in problem


def test_the_whole_phantom_gets_its_floor(phantom):
    noise, floor, truth = floor_and_truth(*phantom, padded=False)
    assert noise.nlf.n_blocks >= MIN_NOISE_BLOCKS
    assert noise_floor_problem(noise.nlf.n_blocks) is None
    assert floor == pytest.approx(truth, abs=0.5)


@pytest.mark.parametrize("padded", [True, False])
def test_the_headline_sigma_lies_within_the_curve_it_summarises(phantom, pad99, padded):
    image = image_of(pad99 if padded else phantom[0], padded=padded)
    nlf = NoiseEstimate.of_image(image).nlf
    global_sigma = estimate_noise_sigma(image.pixels, exclude=image.padding_mask)
    if padded:  # alone, 56.1 against bins of 57.6 to 81.5
        assert global_sigma < nlf.sigmas.min()
    headline = nlf.within_levels(global_sigma)
    assert nlf.sigmas.min() <= headline <= nlf.sigmas.max()
    if nlf.sigmas.min() <= global_sigma <= nlf.sigmas.max():
        assert headline == global_sigma  # left alone where it already lies within
