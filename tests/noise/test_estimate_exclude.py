"""Pixels excluded from the noise estimate (DICOM pixel padding) take no part in it."""

import numpy as np
import pytest

from core.noise import (
    NoiseEstimate,
    bin_count_for,
    estimate_noise_level_function,
    estimate_noise_sigma,
    phantom_image,
)


@pytest.fixture(scope="module")
def framed():
    """A noisy 300 px phantom and a mask of a 47 px frame plus a patch inside it."""
    pixels = phantom_image((300, 300), seed=5, photons_per_pixel=5000).astype(np.float64)
    mask = np.ones(pixels.shape, dtype=bool)
    mask[47:-47, 47:-47] = False
    mask[140:152, 100:131] = True  # not on the grid of 3 x 3 blocks
    return pixels, mask


def _nlf_arrays(nlf):
    return nlf.intensities, nlf.sigmas, nlf.counts, nlf.poisson_gaussian


@pytest.mark.parametrize("fill", ["zero", "top", "noise", "image"])
def test_excluded_pixels_take_no_part_whatever_they_hold(framed, fill):
    pixels, mask = framed
    reference = estimate_noise_level_function(pixels, min_count=100, exclude=mask)
    filled = pixels.copy()
    rng = np.random.default_rng(1)
    filled[mask] = {
        "zero": 0.0,
        "top": 4095.0,
        "noise": rng.normal(2000.0, 500.0, int(mask.sum())),
        "image": pixels[mask],
    }[fill]
    estimate = estimate_noise_level_function(filled, min_count=100, exclude=mask)
    # Equal but for rounding: the moving sums of scipy's uniform filter run along a row.
    np.testing.assert_array_equal(estimate.counts, reference.counts)
    for got, expected in zip(_nlf_arrays(estimate), _nlf_arrays(reference), strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert estimate_noise_sigma(filled, exclude=mask) == pytest.approx(
        estimate_noise_sigma(pixels, exclude=mask), rel=1e-12
    )


def test_the_anatomy_beside_excluded_padding_keeps_its_log_detector(framed):
    """Padding at 0 left in mixes into the local intensities beside it (the fit was lost)."""
    pixels, mask = framed
    padded = pixels.copy()
    padded[mask] = 0.0
    anatomy = NoiseEstimate.from_pixels(padded, exclude=mask)
    crop = NoiseEstimate.from_pixels(pixels[47:-47, 47:-47])
    assert anatomy.detector is not None and crop.detector is not None
    assert anatomy.sigma == pytest.approx(crop.sigma, rel=0.05)


def test_without_a_mask_the_estimate_is_as_it_was():
    """Numbers of the estimate before ``exclude`` existed (same code path, bit for bit)."""
    pixels = phantom_image((150, 150), seed=4, photons_per_pixel=5000).astype(np.float32)
    noise = NoiseEstimate.from_pixels(pixels)
    np.testing.assert_array_equal(noise.nlf.counts, [242, 196, 170, 284, 161])
    np.testing.assert_allclose(
        noise.nlf.intensities,
        [780.4691358024693, 1483.5246913580245, 2120.9506172839506, 2404.506172839506,
         2679.987654320988],
        rtol=1e-13,
    )  # fmt: skip
    np.testing.assert_allclose(
        noise.nlf.sigmas,
        [33.59315184288087, 35.108000280083985, 51.846778724040966, 71.48983649425494,
         89.64869282330847],
        rtol=1e-13,
    )  # fmt: skip
    assert noise.sigma == pytest.approx(38.17011643020718, rel=1e-13)
    nothing = np.zeros(pixels.shape, dtype=bool)
    masked = NoiseEstimate.from_pixels(pixels, exclude=nothing)
    for got, expected in zip(_nlf_arrays(masked.nlf), _nlf_arrays(noise.nlf), strict=True):
        np.testing.assert_array_equal(got, expected)
    assert masked.sigma == noise.sigma


def test_bins_are_counted_in_the_pixels_kept():
    mask = np.zeros((300, 300), dtype=bool)
    assert bin_count_for((300, 300), exclude=mask) == bin_count_for((300, 300))
    mask[:, :150] = True
    assert bin_count_for((300, 300), exclude=mask) == (150 * 300 // 9) // 16


def test_bad_masks_are_refused(framed):
    pixels, mask = framed
    with pytest.raises(ValueError, match="boolean mask of the image's shape"):
        estimate_noise_level_function(pixels, exclude=mask[:-1])
    with pytest.raises(ValueError, match="boolean mask of the image's shape"):
        estimate_noise_level_function(pixels, exclude=mask.astype(np.uint8))
    with pytest.raises(ValueError, match="every pixel of the image is excluded"):
        estimate_noise_sigma(pixels, exclude=np.ones(pixels.shape, dtype=bool))
    small = np.ones(pixels.shape, dtype=bool)
    small[100:112, 100:112] = False  # 4 x 4 blocks, 2 x 2 clear of the padding
    with pytest.raises(ValueError, match="clear of its padding"):
        NoiseEstimate.from_pixels(pixels, exclude=small)


def test_anatomy_of_one_value_outside_the_padding_is_named_as_such():
    pixels = np.zeros((64, 64), np.float32)
    pixels[30, 30] = 1000.0  # all that is left of the anatomy
    with pytest.raises(ValueError, match="the image outside its padding is constant"):
        estimate_noise_level_function(pixels, exclude=pixels == 0)
