import numpy as np
import pytest

from core.binning import block_means


def test_each_output_pixel_is_the_mean_of_its_block():
    values = np.arange(6 * 8, dtype=np.float32).reshape(6, 8)
    binned = block_means(values, 2)
    assert binned.shape == (3, 4) and binned.dtype == np.float32
    assert binned[1, 2] == values[2:4, 4:6].mean()
    np.testing.assert_array_equal(block_means(values, 1), values)


def test_a_partial_last_block_is_dropped():
    values = np.random.default_rng(0).random((7, 5))
    binned = block_means(values, 3)
    assert binned.shape == (2, 1)
    assert binned[1, 0] == pytest.approx(values[3:6, 0:3].mean())


def test_binning_halves_white_noise_per_doubling():
    noise = np.random.default_rng(1).standard_normal((512, 512))
    assert block_means(noise, 2).std() == pytest.approx(0.5, rel=0.03)


@pytest.mark.parametrize("block", [0, 9])
def test_an_impossible_block_is_refused(block):
    with pytest.raises(ValueError, match="block"):
        block_means(np.zeros((8, 8)), block)
