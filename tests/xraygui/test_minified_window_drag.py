"""Zoomed out, each screen pixel shows the mean grey level of its pixels, windowed fast."""

import numpy as np
import pytest

from core.display import to_display
from core.image import Window
from xraygui.minified import EXACT_SHARE, BlockStats, minified_grey
from xraygui.panes import block_mean

pytestmark = pytest.mark.gui


def _window_then_mean(window, pixels, blocks, view=None):
    """What the pane should show: every pixel windowed, then the blocks averaged."""
    grey = to_display(window.image.with_pixels(pixels), view or window.window_override)
    return block_mean(grey, *blocks)


@pytest.fixture
def large(window, tmp_path):
    """A 1600 x 1600 noisy integer image opened in a window too small to show it at 1:1."""
    rng = np.random.default_rng(3)
    ramp = np.linspace(500, 3500, 1600)[None, :] + np.zeros((1600, 1))
    pixels = np.clip(np.round(ramp + rng.normal(0, 40, ramp.shape)), 0, 4095)
    np.save(tmp_path / "large.npy", pixels.astype(np.uint16))
    window.resize(900, 700)
    assert window.open_file(tmp_path / "large.npy")
    return window


def test_zoomed_out_a_narrow_window_over_noise_shows_the_mean_grey_level(large, qtbot):
    pane = large.views.panes["before"]
    rows, cols = pane.blocks()
    assert rows > 1 and cols > 1
    large.window_override = Window(2000.0, 60.0)  # narrower than the noise: most pixels clip
    large.refresh()
    shown = pane.image_item.image
    assert shown.shape == (-(-1600 // rows), -(-1600 // cols))
    assert pane.extent == (1600, 1600)
    expected = _window_then_mean(large, large.image.pixels, (rows, cols))
    np.testing.assert_allclose(shown, expected, atol=1e-5)
    # The noisy band around the window's centre is grey, as at 1:1, not black or white.
    band = expected[:, (2000 - 500) * expected.shape[1] // 3000]
    assert 0.3 < band.mean() < 0.7


def test_a_drag_reuses_the_block_statistics_and_stays_exact(large):
    pane = large.views.panes["before"]
    large.refresh()
    kept = large._minified[0]
    for _ in range(3):
        large.drag_window(30.0, 20.0)
    assert large._minified[0] is kept  # not made again
    expected = _window_then_mean(large, large.image.pixels, kept.blocks)
    np.testing.assert_allclose(pane.image_item.image, expected, atol=1e-5)


def test_a_sigmoid_window_is_windowed_pixel_by_pixel(large):
    pane = large.views.panes["before"]
    large.window_override = Window(2000.0, 400.0, "SIGMOID")
    large.refresh()
    expected = _window_then_mean(large, large.image.pixels, pane.blocks())
    np.testing.assert_allclose(pane.image_item.image, expected, atol=1e-5)


def test_at_1_to_1_the_part_in_sight_is_windowed_and_zooming_out_minifies_again(large, qtbot):
    pane = large.views.panes["before"]
    item = pane.image_item
    large.views.one_to_one()
    qtbot.waitUntil(lambda: item.mapRectToParent(item.boundingRect()).width() < 1600)
    assert pane.blocks() == (1, 1)
    rect = item.mapRectToParent(item.boundingRect())
    top, left = round(rect.top()), round(rect.left())
    rows, cols = item.image.shape
    whole = large.grey(large.image.pixels)
    np.testing.assert_allclose(item.image, whole[top : top + rows, left : left + cols], atol=1e-6)
    large.views.fit()
    qtbot.waitUntil(lambda: pane.blocks() != (1, 1))
    blocks = pane.blocks()
    qtbot.waitUntil(lambda: item.image.shape == (-(-1600 // blocks[0]), -(-1600 // blocks[1])))


def test_opening_another_image_lets_the_previous_ones_pixels_go(large, tmp_path):
    previous = large.image.pixels
    assert any(kept.pixels is previous for kept in large._minified)
    np.save(tmp_path / "small.npy", np.full((64, 64), 1000, np.uint16))
    assert large.open_file(tmp_path / "small.npy")
    assert not any(kept.pixels is previous for kept in large._minified)


@pytest.mark.parametrize("seed", range(4))
def test_block_statistics_give_what_windowing_every_pixel_gives(seed, qtbot):
    rng = np.random.default_rng(seed)
    pixels = (rng.normal(0, 1, (121, 93)).cumsum(axis=1) * 30 + 2000).astype(np.float32)
    pixels[:40] += rng.normal(0, 80, (40, 93)).astype(np.float32)  # a noisy part
    stats = BlockStats.of(pixels, (3, 5))
    low, high = np.percentile(pixels, [20, 80])

    def grey(values):
        return np.clip((np.asarray(values, np.float64) - low) / (high - low), 0, 1).astype(
            np.float32
        )

    expected = block_mean(grey(pixels), 3, 5)
    np.testing.assert_allclose(minified_grey(stats, grey, linear=True), expected, atol=1e-5)
    np.testing.assert_allclose(
        minified_grey(stats, lambda v: 1 - grey(v), linear=True), 1 - expected, atol=1e-5
    )
    assert 0 < EXACT_SHARE < 1


def test_a_line_on_the_last_row_or_column_is_not_lost_zoomed_out(window, tmp_path):
    pixels = np.full((1603, 1607), 1000, np.uint16)
    pixels[-1, :] = pixels[:, -1] = 4000  # a marker on the image's edge
    np.save(tmp_path / "edge.npy", pixels)
    window.resize(900, 700)
    assert window.open_file(tmp_path / "edge.npy")
    window.window_override = Window(2500.0, 3000.0)
    window.refresh()
    pane = window.views.panes["before"]
    rows, cols = pane.blocks()
    assert 1603 % rows and 1607 % cols  # the last blocks are partial
    shown = pane.image_item.image
    assert shown.shape == (-(-1603 // rows), -(-1607 // cols))
    background = float(shown[0, 0])
    assert shown[-1, :-1].min() > background + 0.1  # the last row's line, averaged with fewer
    assert shown[:-1, -1].min() > background + 0.1
    expected = _window_then_mean(window, window.image.pixels, (rows, cols))
    np.testing.assert_allclose(shown, expected, atol=1e-5)


def test_block_means_average_the_partial_blocks_at_the_edges():
    image = np.arange(35, dtype=np.float32).reshape(5, 7)
    np.testing.assert_allclose(
        block_mean(image, 2, 3),
        [[4.5, 7.5, 9.5], [18.5, 21.5, 23.5], [29.0, 32.0, 34.0]],
    )
    assert block_mean(image, 9, 9).tolist() == [[17.0]]


def test_an_image_thinner_than_a_block_is_one_block_across(qtbot):
    pixels = np.random.default_rng(0).random((12, 3000)).astype(np.float32)
    stats = BlockStats.of(pixels, (14, 14))
    assert stats.blocks == (12, 14)

    def grey(values):  # a window over 0.2-0.8: black below, white above
        return np.clip((np.asarray(values, np.float32) - 0.2) / 0.6, 0, 1)

    np.testing.assert_allclose(
        minified_grey(stats, grey, linear=True), block_mean(grey(pixels), 14, 14), atol=1e-6
    )
