"""The low-quanta check's square counts are exact sums over each pixel's square."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from core.denoise.low_quanta import CLIPPED_WINDOW, _box_sums, _share_nearby


def brute_box_sums(values: np.ndarray, window: int) -> np.ndarray:
    half = window // 2
    padded = np.pad(values.astype(np.float64), half)
    return sliding_window_view(padded, (window, window)).sum(axis=(2, 3))


@pytest.mark.parametrize("shape", [(1, 1), (3, 20), (9, 9), (31, 17)])
@pytest.mark.parametrize("window", [1, 3, CLIPPED_WINDOW])
def test_box_sums_are_the_sums_over_each_square_with_zeros_beyond(shape, window):
    rng = np.random.default_rng(sum(shape) * window)
    counts = rng.random(shape) < 0.4
    values = rng.normal(size=shape)
    assert np.array_equal(_box_sums(counts, window), brute_box_sums(counts, window))
    assert np.allclose(_box_sums(values, window), brute_box_sums(values, window), atol=1e-12)


def test_the_share_clipped_nearby_is_that_of_the_counted_pixels_of_each_square():
    rng = np.random.default_rng(5)
    counted = rng.random((40, 50)) < 0.7
    clipped = counted & (rng.random((40, 50)) < 0.3)
    n_counted = brute_box_sums(counted, CLIPPED_WINDOW)
    n_clipped = brute_box_sums(clipped, CLIPPED_WINDOW)
    expected = np.where(n_counted >= CLIPPED_WINDOW**2 / 2, n_clipped / np.maximum(n_counted, 1), 0)
    share = _share_nearby(clipped, counted)
    assert share.dtype == np.float64
    assert np.array_equal(share, expected)
