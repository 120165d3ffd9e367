"""The noise estimate cuts the image into blocks once, and still gives today's estimates."""

import numpy as np
import pytest

from core.noise import NoiseEstimate, phantom_image
from core.noise import estimate as estimate_module
from core.noise.estimate import (
    estimate_noise_level_and_sigma,
    estimate_noise_level_function,
    estimate_noise_sigma,
)

# Today's estimate of a 192 x 192 12-bit phantom at 500 quanta (seed 2), computed by the
# code before the change; the change computes the same numbers, so they agree to rounding.
GOLDEN_SIGMA = 65.52506402978833
GOLDEN_LEVELS = [52.48437494209228, 58.94347093769149, 81.36973141813476, 83.2790445238387]
GOLDEN_LEVELS += [121.88809514980868]


@pytest.fixture(scope="module")
def noisy() -> np.ndarray:
    return phantom_image((192, 192), seed=2, photons_per_pixel=500).astype(np.float32)


def test_the_estimate_is_todays(noisy):
    estimate = NoiseEstimate.from_pixels(noisy)
    assert estimate.sigma == pytest.approx(GOLDEN_SIGMA, rel=1e-12)
    assert estimate.nlf.sigmas == pytest.approx(GOLDEN_LEVELS, rel=1e-12)


@pytest.mark.parametrize("padded", [False, True])
def test_one_cut_gives_both_estimates_as_two_calls_do(noisy, padded):
    exclude = None
    if padded:
        exclude = np.zeros(noisy.shape, dtype=bool)
        exclude[:, :20] = True
    nlf, sigma = estimate_noise_level_and_sigma(noisy, min_count=100, exclude=exclude)
    alone = estimate_noise_level_function(noisy, min_count=100, exclude=exclude)
    for name in ("intensities", "sigmas", "counts"):
        assert np.array_equal(getattr(nlf, name), getattr(alone, name))
    assert nlf.poisson_gaussian == alone.poisson_gaussian
    assert sigma == estimate_noise_sigma(noisy, exclude=exclude)


def test_one_cut_refuses_what_the_level_function_refuses_first():
    flat = np.full((30, 30), 7.0)
    with pytest.raises(ValueError) as both:
        estimate_noise_level_and_sigma(flat)
    with pytest.raises(ValueError) as alone:
        estimate_noise_level_function(flat)
    assert str(both.value) == str(alone.value)
    with pytest.raises(ValueError, match="min_count"):
        estimate_noise_level_and_sigma(np.zeros((30, 30)), min_count=3)


def test_bands_of_any_height_give_the_same_blocks(noisy, monkeypatch):
    """The image is taken to float64 a band at a time; where the bands end changes nothing."""
    default = estimate_noise_level_and_sigma(noisy[:-1], min_count=100)
    monkeypatch.setattr(estimate_module, "BLOCK_ROWS_AT_ONCE", 5)
    banded = estimate_noise_level_and_sigma(noisy[:-1], min_count=100)
    assert np.array_equal(default[0].sigmas, banded[0].sigmas) and default[1] == banded[1]
