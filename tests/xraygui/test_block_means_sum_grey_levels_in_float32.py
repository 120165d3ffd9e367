"""Zoomed out, block means of grey levels are summed in float32, as fast as before.

Only where a float32 sum overflows (a floating-point image's values near float32's
largest, as its block statistics average them) are they summed again in float64.
"""

import warnings

import numpy as np
import pytest

from xraygui.minified import BlockStats
from xraygui.panes import block_mean

pytestmark = pytest.mark.gui


def _float32_block_means(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """The block means of grey levels a pane showed before: strided float32 sums."""
    summed = image[0::rows].astype(np.float32)
    for row in range(1, rows):
        summed += image[row::rows]
    out = summed[:, 0::cols].copy()
    for col in range(1, cols):
        out += summed[:, col::cols]
    out /= rows * cols
    return out


@pytest.mark.parametrize("block", [2, 3, 4, 8])
def test_grey_levels_are_summed_in_float32(block):
    grey = np.random.default_rng(0).random((256, 256), dtype=np.float32)
    means = block_mean(grey, block, block)
    assert means.dtype == np.float32
    whole = 256 // block
    expected = _float32_block_means(grey[: whole * block, : whole * block], block, block)
    assert np.array_equal(means[:whole, :whole], expected)  # bit for bit, not to rounding


def _no_overflow_warning(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return make()


def test_the_edge_blocks_near_the_largest_float32_stay_finite():
    image = np.full((5, 5), 3e38, np.float32)  # a band and a strip of 1 pixel, and a corner
    means = _no_overflow_warning(lambda: block_mean(image, 2, 2))
    assert means.shape == (3, 3) and np.allclose(means, 3e38, rtol=1e-6)


def test_the_block_statistics_of_values_near_the_largest_float32_stay_finite():
    image = np.full((64, 64), 3e38, np.float32)
    image[::2] = 2e38
    stats = _no_overflow_warning(lambda: BlockStats.of(image, (4, 4)))
    assert stats.mean.dtype == np.float32 and np.allclose(stats.mean, 2.5e38, rtol=1e-6)
