"""Block means of float32 values near its largest are finite: the sum is float64."""

import numpy as np

from core.binning import block_means


def test_the_mean_of_values_near_the_largest_float32_is_finite():
    values = np.full((8, 8), 3.0e38, np.float32)
    binned = block_means(values, 4)
    assert binned.dtype == np.float32
    np.testing.assert_array_equal(binned, np.float32(3.0e38))


def test_integers_still_give_float64():
    assert block_means(np.arange(16, dtype=np.uint16).reshape(4, 4), 2).dtype == np.float64
