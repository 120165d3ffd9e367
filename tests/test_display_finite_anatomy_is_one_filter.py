"""``auto_window`` and its fallback to the extremes leave out padding and values that are not
finite through one helper (``_finite_anatomy``), once written twice: on a sample of the
pixels, and on every pixel where the sample's percentiles are equal."""

import numpy as np

from core.display import _finite_anatomy, auto_window


def test_padding_and_non_finite_values_are_left_out():
    pixels = np.array([[1.0, np.nan, 3.0], [np.inf, 5.0, -np.inf]])
    padding = np.array([[True, False, False], [False, False, False]])
    assert _finite_anatomy(pixels, None).tolist() == [1.0, 3.0, 5.0]
    assert _finite_anatomy(pixels, padding).tolist() == [3.0, 5.0]


def test_padding_is_ignored_where_every_pixel_sampled_is_padding():
    pixels = np.array([[1.0, 2.0], [np.nan, 4.0]])
    padding = np.array([[True, True], [True, False]])
    assert _finite_anatomy(pixels, np.ones_like(padding)).tolist() == [1.0, 2.0, 4.0]
    # the sample (indices 0, 2) is all padding: its finite pixels, padding or not
    assert _finite_anatomy(pixels, padding, np.array([0, 2])).tolist() == [1.0]
    assert _finite_anatomy(pixels, padding, np.array([0, 3])).tolist() == [4.0]


def test_a_hot_pixel_of_the_anatomy_sets_the_window_but_one_in_the_padding_does_not():
    pixels = np.full((64, 64), 100.0)
    pixels[5, 5] = 4000.0  # anatomy: shows white on the blank frame
    pixels[0, 0] = 9000.0  # padding: left out
    padding = np.zeros(pixels.shape, dtype=bool)
    padding[0, :] = True
    window = auto_window(pixels, padding=padding)
    assert (window.center - window.width / 2, window.center + window.width / 2) == (100.0, 4000.0)
