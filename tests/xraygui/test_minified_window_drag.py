"""Zoomed out, the panes window a minified copy of the pixels: a drag costs the pixels drawn."""

import numpy as np
import pytest

from core.display import to_display
from core.image import Window
from xraygui.panes import block_mean

pytestmark = pytest.mark.gui


@pytest.fixture
def large(window, tmp_path):
    """A 1600 x 1600 integer image opened in a window too small to show it at 1:1."""
    pixels = np.random.default_rng(3).integers(0, 4096, (1600, 1600)).astype(np.float32)
    np.save(tmp_path / "large.npy", pixels.astype(np.uint16))
    window.resize(900, 700)
    assert window.open_file(tmp_path / "large.npy")
    window.views.fit()
    window.refresh()
    return window


def test_zoomed_out_the_before_pane_windows_block_means_of_the_pixels(large):
    pane = large.views.panes["before"]
    rows, cols = pane.blocks()
    assert rows > 1 and cols > 1
    shown = pane.image_item.image
    assert shown.shape == (1600 // rows, 1600 // cols)
    assert pane.extent == (1600, 1600)  # the copy covers the whole image
    minified = block_mean(large.image.pixels, rows, cols)
    expected = to_display(large.image.with_pixels(minified), large.window_override)
    np.testing.assert_allclose(shown, expected, atol=1e-6)


def test_a_window_drag_windows_the_same_minified_copy_again(large):
    pane = large.views.panes["before"]
    kept = large._minified[0][2]
    large.drag_window(30.0, 20.0)
    assert large._minified[0][2] is kept  # not minified again
    window = large.window_override
    assert isinstance(window, Window)
    np.testing.assert_allclose(
        pane.image_item.image, to_display(large.image.with_pixels(kept), window), atol=1e-6
    )


def test_at_1_to_1_every_pixel_is_windowed_again(large, qtbot):
    pane = large.views.panes["before"]
    large.views.one_to_one()
    qtbot.waitUntil(lambda: pane.image_item.image.shape == (1600, 1600))
    assert pane.blocks() == (1, 1)
    np.testing.assert_allclose(pane.image_item.image, large.grey(large.image.pixels), atol=1e-6)
    large.views.fit()  # and minified again when zoomed out
    qtbot.waitUntil(lambda: pane.image_item.image.shape[0] < 1600)
