"""Zoomed out, a pane's block means of values near float32's largest do not overflow."""

import warnings

import numpy as np
import pytest

from xraygui.panes import block_mean

pytestmark = pytest.mark.gui


def test_block_means_near_the_largest_float32_stay_finite():
    image = np.full((4, 4), 3e38, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        means = block_mean(image, 2, 2)
    assert means.dtype == np.float32 and np.allclose(means, 3e38, rtol=1e-6)
