"""Zooming out from 1:1 in a quick burst builds the blocks' statistics once, when it settles.

Each step of the burst that leaves the part drawn shows a stand-in, every few pixels of
the whole image; once no step has come for ZOOM_SETTLE_MS, the blocks' means of the
scale reached are drawn, their statistics made once.
"""

import numpy as np
import pytest

from core.display import to_display
from core.image import Window
from xraygui.main_window import STAND_IN, ZOOM_SETTLE_MS
from xraygui.minified import BlockStats
from xraygui.panes import block_mean
from xraygui.visible import STAND_IN_PIXELS, stand_in

pytestmark = pytest.mark.gui

SHAPE = (1200, 1600)


@pytest.fixture
def built(noise_window, qtbot, monkeypatch, settle):
    """A noise image at 1:1, and the blocks of every BlockStats built from then on."""
    window = noise_window(11)
    window.window_override = Window(2000.0, 1500.0)
    window.views.one_to_one()
    settle(window)
    qtbot.waitUntil(lambda: window._part is not None and window._blocks_drawn == (1, 1))
    blocks = []
    real_of = BlockStats.of.__func__

    def of(cls, pixels, size):
        blocks.append(size)
        return real_of(cls, pixels, size)

    monkeypatch.setattr(BlockStats, "of", classmethod(of))
    return window, blocks


def _whole(window):
    return to_display(window.image, window.window_override, invert=window.invert)


def test_a_burst_of_zoom_steps_out_builds_statistics_once_settled(built, qtbot):
    window, blocks = built
    pane = window.views.panes["before"]
    for _ in range(10):  # no event runs between the steps
        window.views.zoom(1 / 1.25)
    assert blocks == []
    assert window._blocks_drawn == STAND_IN
    item = pane.image_item  # every pixel in sight is drawn, from the whole image
    assert item.mapRectToParent(item.boundingRect()).getRect() == (0, 0, SHAPE[1], SHAPE[0])
    step = SHAPE[1] // item.image.shape[1]  # drawn at the first step out of 1:1
    assert step > 1
    index = stand_in(SHAPE, SHAPE, (step, step))
    np.testing.assert_array_equal(item.image, _whole(window)[index])
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    rows, cols = pane.blocks()
    assert blocks == [(rows, cols)]  # once, at the scale reached
    np.testing.assert_allclose(item.image, block_mean(_whole(window), rows, cols), atol=1e-5)


def test_back_at_1_to_1_before_the_zoom_settles_the_part_in_sight_is_drawn(built, qtbot):
    window, blocks = built
    pane = window.views.panes["before"]
    for _ in range(4):
        window.views.zoom(1 / 1.25)
    assert window._blocks_drawn == STAND_IN
    window.views.one_to_one()
    assert window._blocks_drawn == (1, 1) and window._part is not None
    part = window._part
    item = pane.image_item
    np.testing.assert_array_equal(
        item.image, _whole(window)[part.top : part.bottom, part.left : part.right]
    )
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    assert blocks == []


def test_a_stand_in_takes_one_pixel_a_block_and_at_most_its_share():
    assert stand_in((1200, 1600), (1200, 1600), (2, 3)) == (slice(None, None, 2),) + (
        slice(None, None, 3),
    )
    # A step kept at half size: one of its pixels in each block of the image's.
    assert stand_in((600, 800), (1200, 1600), (4, 4)) == (slice(None, None, 2),) * 2
    rows, cols = stand_in((20000, 20000), (20000, 20000), (2, 2))
    taken = len(range(20000)[rows]) * len(range(20000)[cols])
    assert rows.step == cols.step > 2 and taken <= STAND_IN_PIXELS
