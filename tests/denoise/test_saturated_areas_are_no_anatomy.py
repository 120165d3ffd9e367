"""Lead shutters and clipped background are no anatomy for the low-quanta warning, while
the pixels of anatomy that detected nothing at a very low dose, clipped too, still count.

A shutter is simulated as the review did: a band behind lead (line integral 9, 0.6 quanta
at 5000 per unattenuated pixel) through the phantom's log detector, clipped to 12 bits.
With an electronic noise of 4 quanta about 84 % of its pixels sit at 4095.
"""

import numpy as np
import pytest

from core.denoise import estimate_image_noise
from core.denoise.low_quanta import counted_pixels, low_quanta_warning, quanta_detectors
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image

SIZE = 512  # at 256 px the fitted detectors put the shutter's 4095 above 5 quanta
SLOPE = 4095 / 7  # pixel values per unit line integral


def _image(pixels: np.ndarray) -> XrayImage:
    return XrayImage(pixels.astype(np.float32), StoredMapping(12), Window(2048, 4096))


def _with_shutters(band: int, photons: float = 5000.0) -> tuple[XrayImage, XrayImage]:
    """The noise-free and the noisy phantom, ``band`` columns behind lead on either side."""
    line_integral = phantom_image((SIZE, SIZE), seed=0) / SLOPE
    if band:
        line_integral[:, :band] = 9.0
        line_integral[:, -band:] = 9.0
    rng = np.random.default_rng(0)
    detected = rng.poisson(photons * np.exp(-line_integral)) + rng.normal(0, 4.0, (SIZE, SIZE))
    noisy = -np.log(np.maximum(detected, 0.5) / photons) * SLOPE
    clean = np.round(line_integral * SLOPE)
    return _image(np.clip(clean, 0, 4095)), _image(np.clip(np.round(noisy), 0, 4095))


@pytest.mark.parametrize("band", [16, 21])  # its edge on the blocks' grid and off it
def test_a_normal_dose_behind_shutters_gives_no_warning(band):
    clean, noisy = _with_shutters(band)
    shutters = np.zeros((SIZE, SIZE), dtype=bool)
    shutters[:, :band] = shutters[:, -band:] = True
    assert np.mean(noisy.pixels[shutters] == 4095) > 0.8
    detectors = quanta_detectors(noisy, estimate_image_noise(noisy))
    assert detectors  # a log detector reads the quanta
    counted = counted_pixels(noisy)
    assert not counted[shutters & (noisy.pixels == 4095)].any()
    assert counted[shutters].mean() < 0.05  # but those lifted off 4095 in edge blocks
    assert counted[~shutters].mean() > 0.97  # the anatomy, but for an edge block's clip
    assert low_quanta_warning(clean, noisy, detectors) is None  # a perfect denoise
    _, unsaturated = _with_shutters(0)  # an input of the same shape saturated nowhere
    counting_shutters = low_quanta_warning(clean, unsaturated, detectors)
    assert counting_shutters.share_below_low >= 2 * band / SIZE  # they read as few quanta


@pytest.mark.parametrize("electronic_noise", [0.0, 0.5, 4.0])
def test_anatomy_that_detected_nothing_at_200_quanta_still_counts(electronic_noise):
    stored = phantom_image((256, 256), photons_per_pixel=200, electronic_noise=electronic_noise)
    noisy = _image(stored)
    assert np.mean(noisy.pixels == noisy.pixels.max()) > 0.03  # clipped at the log's floor
    assert counted_pixels(noisy).all()
    detectors = quanta_detectors(noisy, estimate_image_noise(noisy))
    warning = low_quanta_warning(noisy, noisy, detectors)
    assert warning is not None and warning.share_below_low > 0.1


def test_a_block_mostly_at_an_extreme_value_is_left_out_with_its_edge():
    rng = np.random.default_rng(0)
    pixels = rng.uniform(100, 3000, (64, 64))
    pixels[:, 3:20] = 4095  # a band across the blocks' grid: 5, 8 and 4 of their 8 columns
    pixels[:, 8:16][rng.random((64, 8)) < 0.15] = 3500  # lifted off it by noise
    pixels[30:60:3, 30:60:3] = 4095  # isolated clipped pixels
    pixels[0:8, 56:64] = 0  # a block at the lowest value
    pixels[20, 20] = 0
    counted = counted_pixels(_image(pixels))
    assert not counted[:, 3:20].any()  # the band, across three columns of blocks
    assert counted[:, :3].all() and counted[:, 20:24].all()  # the rest of its edge blocks
    assert counted[30:60:3, 30:60:3].all() and counted[20, 20]  # isolated: anatomy
    assert not counted[0:8, 56:64].any()
    assert counted.sum() == 64 * 64 - 64 * 17 - 64
