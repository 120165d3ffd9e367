"""BlockStats' minima and maxima, taken pass by pass over strided views, are each block's."""

import numpy as np
import pytest

from xraygui.minified import BlockStats


@pytest.mark.parametrize(
    ("shape", "blocks", "dtype"),
    [
        ((64, 48), (2, 2), np.uint16),
        ((101, 77), (3, 5), np.uint16),
        ((37, 200), (7, 1), np.float32),
        ((9, 300), (20, 6), np.float32),  # a block taller than the image: one block down
        ((50, 50), (50, 50), np.int16),
    ],
)
def test_minimum_and_maximum_of_every_whole_block(shape, blocks, dtype):
    rng = np.random.default_rng(sum(shape))
    pixels = (rng.normal(0, 500, shape) + 1000).astype(dtype)
    stats = BlockStats.of(pixels, blocks)
    rows, cols = stats.blocks
    height, width = shape[0] // rows, shape[1] // cols
    tiles = pixels[: height * rows, : width * cols].reshape(height, rows, width, cols)
    np.testing.assert_array_equal(stats.low, tiles.min(axis=(1, 3)).astype(np.float32))
    np.testing.assert_array_equal(stats.high, tiles.max(axis=(1, 3)).astype(np.float32))
    assert stats.low.dtype == stats.high.dtype == np.float32


def test_a_nan_makes_its_block_nan_as_a_reduction_does():
    pixels = np.arange(36, dtype=np.float32).reshape(6, 6)
    pixels[4, 1] = np.nan
    stats = BlockStats.of(pixels, (2, 3))
    assert np.isnan(stats.low[2, 0]) and np.isnan(stats.high[2, 0])
    assert np.isnan(stats.low).sum() == np.isnan(stats.high).sum() == 1
