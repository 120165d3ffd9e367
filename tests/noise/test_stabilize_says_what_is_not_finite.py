"""A stabiliser told of infinity says float32 overflowed; NaN is named as NaN.

An image as read is finite, so infinity reaching a stabiliser means values too large for
float32; it said "values contain NaN or infinity; replace them first" of a finite image
near 3e38.
"""

import numpy as np
import pytest

from core.noise.stabilize import GeneralizedAnscombe


def test_infinity_is_said_to_be_values_too_large_for_float32():
    with pytest.raises(ValueError, match=r"^values contain infinity: values too large to process"):
        GeneralizedAnscombe(gain=1.0).forward(np.array([1.0, np.inf], np.float32))


def test_nan_is_said_to_be_nan():
    with pytest.raises(ValueError, match=r"^stabilised values contain NaN; replace them first$"):
        GeneralizedAnscombe(gain=1.0).inverse(np.array([1.0, np.nan, np.inf]))
