"""The part of the image drawn at 1:1 and above follows the view: pans, zooms, new images.

A view that leaves the part drawn has the part in sight drawn at once, before anything
is painted; a small pan draws nothing again; zooming out past 1:1 draws block means of
the whole image again, zooming far in a smaller part once the zoom settles.
"""

import numpy as np
import pytest
from PySide6.QtGui import QImage

from core.display import to_display
from core.image import Window
from xraygui.main_window import PART_SHRINK, ZOOM_SETTLE_MS
from xraygui.panes import block_mean
from xraygui.visible import ALIGN, MARGIN, Part, part_in_sight

pytestmark = pytest.mark.gui

SHAPE = (1200, 1600)


@pytest.fixture
def large(noise_window):
    """A 1200 x 1600 12-bit noise image in a 900 x 700 window, shown at 1:1."""
    window = noise_window(11)
    window.window_override = Window(2000.0, 1500.0)
    return window


def _whole(window):
    return to_display(window.image, window.window_override, invert=window.invert)


def _grab(pane):
    image = pane.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32)
    return pixels.reshape(image.height(), image.bytesPerLine() // 4)[:, : image.width()].copy()


def _drawn(pane):
    """The part of the image the pane draws: ``Part`` of its item's place."""
    item = pane.image_item
    rect = item.mapRectToParent(item.boundingRect())
    rows, cols = item.image.shape
    top, left = round(rect.top()), round(rect.left())
    assert (rect.top(), rect.left(), rect.height(), rect.width()) == (top, left, rows, cols)
    return Part(top, left, top + rows, left + cols)


def _in_sight(pane):
    (x0, x1), (y0, y1) = pane.view.viewRange()
    rows, cols = SHAPE
    top, left = min(max(int(y0), 0), rows - 1), min(max(int(x0), 0), cols - 1)
    return Part(
        top,
        left,
        max(min(int(np.ceil(y1)), rows), top + 1),
        max(min(int(np.ceil(x1)), cols), left + 1),
    )


def _move_to(pane, left, top, scale=1.0):
    """Show the image from column `left`, row `top` at `scale`; nothing else runs."""
    width, height = pane.view.width() / scale, pane.view.height() / scale
    pane.view.setRange(xRange=(left, left + width), yRange=(top, top + height), padding=0)


def _same_as_whole(window, pane):
    """What the pane draws is what it draws from the whole image's grey levels."""
    drawn = _grab(pane)
    whole = _whole(window)
    pane.show_grey(whole, extent=SHAPE)
    np.testing.assert_array_equal(drawn, _grab(pane))
    window.refresh()


@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_panning_to_every_edge_draws_what_comes_in_sight_at_once(large, qtbot, scale):
    pane = large.views.panes["before"]
    _move_to(pane, 500, 400, scale)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    (x0, x1), (y0, y1) = pane.view.viewRange()
    width, height = x1 - x0, y1 - y0
    rows, cols = SHAPE
    for left in (-40, 0, (cols - width) / 2, cols - width, cols - width + 40):
        for top in (-40, 0, (rows - height) / 2, rows - height, rows - height + 40):
            _move_to(pane, left, top, scale)  # no event runs: drawn during the move
            whole = _whole(large)
            part = _drawn(pane)
            assert part.covers(_in_sight(pane)), (left, top)
            assert part.area < whole.size / 2
            np.testing.assert_array_equal(
                pane.image_item.image, whole[part.top : part.bottom, part.left : part.right]
            )
            _same_as_whole(large, pane)


def test_a_small_pan_draws_nothing_again(large, qtbot):
    pane = large.views.panes["before"]
    _move_to(pane, 500, 400)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    grey = pane.image_item.image
    large.views.pan(0.1, 0.1)  # an arrow key's step
    large.views.pan(-MARGIN, 0)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    assert pane.image_item.image is grey
    _same_as_whole(large, pane)


def test_zooming_across_1_to_1_swaps_block_means_and_parts(large, qtbot):
    pane = large.views.panes["before"]
    large.views.fit()
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    rows, cols = pane.blocks()
    assert (rows, cols) > (1, 1)
    assert pane.image_item.image.shape == (-(-SHAPE[0] // rows), -(-SHAPE[1] // cols))
    large.views.one_to_one()
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    assert pane.blocks() == (1, 1)
    assert _drawn(pane).covers(_in_sight(pane)) and _drawn(pane).area < np.prod(SHAPE) / 2
    _same_as_whole(large, pane)
    for _ in range(4):  # out, past where a screen pixel shows two image pixels
        large.views.zoom(1 / 1.25)
    item = pane.image_item  # at once, before the zoom settles: block means of all of it
    assert item.mapRectToParent(item.boundingRect()).getRect() == (0, 0, SHAPE[1], SHAPE[0])
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    rows, cols = pane.blocks()
    assert (rows, cols) > (1, 1)
    expected = block_mean(_whole(large), rows, cols)
    np.testing.assert_allclose(pane.image_item.image, expected, atol=1e-5)
    for _ in range(4):
        large.views.zoom(1.25)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    assert pane.blocks() == (1, 1) and _drawn(pane).area < np.prod(SHAPE) / 2
    _same_as_whole(large, pane)


def test_zooming_far_in_draws_a_smaller_part_once_settled(large, qtbot):
    pane = large.views.panes["before"]
    _move_to(pane, 500, 400)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    first = _drawn(pane)
    for _ in range(8):
        large.views.zoom(1.25)
    assert _drawn(pane) == first  # still holds all in sight: not drawn again yet
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    assert _drawn(pane).area * PART_SHRINK < first.area
    assert _drawn(pane).covers(_in_sight(pane))
    _same_as_whole(large, pane)


def test_a_larger_window_draws_the_part_that_comes_in_sight(large, qtbot):
    pane = large.views.panes["before"]
    _move_to(pane, 500, 400)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    large.resize(1300, 950)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    assert _drawn(pane).covers(_in_sight(pane))
    _same_as_whole(large, pane)


def test_another_image_is_drawn_whole_and_where_it_lies(large, qtbot, tmp_path):
    pane = large.views.panes["before"]
    _move_to(pane, 900, 700)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    assert _drawn(pane).area < np.prod(SHAPE) / 2
    np.save(tmp_path / "small.npy", np.arange(64 * 80, dtype=np.uint16).reshape(64, 80))
    assert large.open_file(tmp_path / "small.npy")
    assert _drawn(pane) == Part(0, 0, 64, 80)
    np.testing.assert_array_equal(pane.image_item.image, large.grey(large.image.pixels))


def test_the_part_in_sight_is_aligned_with_a_margin_inside_the_image():
    part = part_in_sight([((100.0, 300.0), (50.0, 150.0))], (1000, 2000), margin=0.5)
    assert part == Part(0, 0, 208, 400)  # 50 - 50 .. 150 + 50 rows; 100 - 100 .. 300 + 100
    part = part_in_sight([((100.0, 300.0), (50.0, 150.0))], (1000, 2000))
    rows, cols = round(MARGIN * 100), round(MARGIN * 200)  # the default margin
    assert part.covers(Part(50 - rows, 100 - cols, 150 + rows, 300 + cols))
    assert part.area < (150 + 2 * rows) * (200 + 2 * cols) + 2 * ALIGN * (400 + 300)
    part = part_in_sight([((1000.5, 1200.0), (40.0, 60.0))], (1000, 2000), margin=0.0)
    assert (part.left, part.right) == (1000 // ALIGN * ALIGN, 1200)
    assert (part.top, part.bottom) == (32, 64)
    # Two views: both held; past the image's edges: clipped to it.
    part = part_in_sight([((-50, 10), (0, 10)), ((1990, 2100), (995, 1100))], (1000, 2000))
    assert part == Part(0, 0, 1000, 2000)
    # Off the image: the nearest pixel, never an empty part.
    assert part_in_sight([((2500, 2600), (-300, -200))], (1000, 2000), margin=0.0) == Part(
        0, 1999, 1, 2000
    )
    with pytest.raises(ValueError, match="at least one view"):
        part_in_sight([], (10, 10))


def test_a_part_of_a_step_kept_smaller_is_cut_on_its_own_pixels():
    part = Part(100, 64, 300, 500)
    index, place = part.cut((500, 400), (1000, 800))  # half size
    assert index == (slice(50, 150), slice(32, 250))
    assert place == (64.0, 100.0, 436.0, 200.0)
    index, place = part.cut((334, 267), (1000, 800))  # 1/3, rounded up
    down, across = 1000 / 334, 800 / 267
    rows, cols = index
    assert rows.start * down <= 100 and rows.stop * down >= 300
    assert cols.start * across <= 64 and cols.stop * across >= 500
    assert place == pytest.approx(
        (
            cols.start * across,
            rows.start * down,
            (cols.stop - cols.start) * across,
            (rows.stop - rows.start) * down,
        )
    )
    assert Part(0, 0, 5, 5).covers(Part(1, 1, 5, 4)) and not Part(0, 0, 5, 5).covers(
        Part(0, 0, 6, 5)
    )
