"""The auto window of a large image sees every phase of a periodic pattern."""

import numpy as np
import pytest

from core.display import AUTO_WINDOW_SAMPLES, auto_window


@pytest.mark.parametrize("period", [2, 4, 8])
def test_a_bar_pattern_gets_a_window_over_black_and_white(period):
    # 4 Mpx: every 4th pixel of a subsample at a regular stride would fall on one phase.
    bars = np.tile(np.repeat(np.array([0, 255], np.float32), period // 2), (1024, 4000 // period))
    assert bars.size > 3 * AUTO_WINDOW_SAMPLES
    window = auto_window(bars, percentiles=(0, 100))
    assert (window.low, window.high) == (0.0, 255.0)


def test_the_subsample_is_the_same_every_time():
    pixels = np.random.default_rng(3).normal(1000, 50, (1500, 1500)).astype(np.float32)
    assert auto_window(pixels) == auto_window(pixels.copy())
