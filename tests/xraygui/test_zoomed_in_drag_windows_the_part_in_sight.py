"""At 1:1 and above a window/level drag windows the part of the image in sight, not all of it.

What the panes draw must be, pixel for pixel, what drawing the whole image draws: each
check grabs a pane as the window draws it, then as it draws once given the grey levels
of the whole image (what it was given before parts were drawn), and compares them.
"""

import functools

import numpy as np
import pytest
from PySide6.QtGui import QImage

from core.display import to_display
from core.image import VoiLut, Window
from core.io import read_image
from xraygui.main_window import ZOOM_SETTLE_MS
from xraygui.timeline import Trajectory

pytestmark = pytest.mark.gui

VIEWS = {
    "linear": Window(2000.0, 1500.0),
    "linear exact": Window(2000.0, 1500.0, "LINEAR_EXACT"),
    "sigmoid": Window(2000.0, 1500.0, "SIGMOID"),
    "VOI LUT table": VoiLut((255 * np.linspace(0, 1, 4096) ** 0.5).astype(np.uint16), 0, 8),
}
SCALES = (1.0, 2.0, 1.37, 0.7)
"""Screen pixels per image pixel: 1:1, magnified, odd, and under 1:1 but not minified."""


@pytest.fixture
def large(noise_window):
    """A 1200 x 1600 12-bit noise image (any shift of a pixel shows) in a 900 x 700 window."""
    return noise_window(5)


def _grab(pane):
    """Return the pane as drawn now, one 32-bit colour per screen pixel."""
    image = pane.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32)
    return pixels.reshape(image.height(), image.bytesPerLine() // 4)[:, : image.width()].copy()


def _whole(window, pixels):
    """Grey levels of all of `pixels` with the window's view, as drawn before parts were."""
    return to_display(
        window.image.with_pixels(pixels), window.window_override, invert=window.invert
    )


def _show(window, qtbot, scale, *, left, top):
    """Show the image at `scale` screen pixels per image pixel from column `left`, row `top`."""
    view = window.views.panes["before"].view
    width, height = view.width() / scale, view.height() / scale
    view.setRange(xRange=(left, left + width), yRange=(top, top + height), padding=0)
    qtbot.wait(ZOOM_SETTLE_MS + 30)  # drawn again at its minification once settled


def _in_sight(pane):
    """The rows and columns of the image a pane shows (clipped to the image)."""
    (x0, x1), (y0, y1) = pane.view.viewRange()
    rows, cols = pane.extent
    return (
        max(int(y0), 0),
        max(int(x0), 0),
        min(int(np.ceil(y1)), rows),
        min(int(np.ceil(x1)), cols),
    )


def _check_part(pane, whole):
    """The pane draws a part of `whole` at its place, holding all in sight; return its size."""
    item = pane.image_item
    rect = item.mapRectToParent(item.boundingRect())
    left, top = round(rect.left()), round(rect.top())
    rows, cols = item.image.shape
    assert (rect.left(), rect.top(), rect.width(), rect.height()) == (left, top, cols, rows)
    np.testing.assert_array_equal(item.image, whole[top : top + rows, left : left + cols])
    row0, col0, row1, col1 = _in_sight(pane)
    assert top <= row0 and left <= col0 and top + rows >= row1 and left + cols >= col1
    return item.image.size


def _same_as_whole(window, names, greys):
    """Grab panes `names`, draw them from `greys` (the whole image's), and compare."""
    panes = window.views.panes
    drawn = {name: _grab(panes[name]) for name in names}
    shape = window.image.shape
    for name, grey in greys.items():
        if name == "swipe":
            window.views.swipe.set_grey(grey, shape)
        else:
            panes[name].show_grey(grey, extent=shape)
    for name in names:
        np.testing.assert_array_equal(drawn[name], _grab(panes[name]), err_msg=name)
    window.refresh()  # the window's own drawing again


@pytest.mark.parametrize("invert", [False, True], ids=["plain", "inverted"])
@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS)
def test_zoomed_in_the_pane_draws_what_the_whole_image_draws(large, qtbot, view, invert):
    window, pane = large, large.views.panes["before"]
    window.window_override, window.invert = view, invert
    window.set_roi_enabled(True)
    whole = _whole(window, window.image.pixels)
    for scale in SCALES:
        _show(window, qtbot, scale, left=301, top=203)
        window.refresh()  # as a drag does, with this view
        assert pane.blocks() == (1, 1)
        assert _check_part(pane, whole) < whole.size / 2, scale
        _same_as_whole(window, ["before"], {"before": whole})


def test_a_drag_windows_the_part_in_sight_pixel_for_pixel(large, qtbot):
    window, pane = large, large.views.panes["before"]
    window.window_override = Window(2000.0, 900.0)
    _show(window, qtbot, 1.0, left=500, top=400)
    for _ in range(3):
        window.drag_window(7.0, -4.0)
    assert isinstance(window.window_override, Window)
    whole = _whole(window, window.image.pixels)
    assert _check_part(pane, whole) < whole.size / 2
    _same_as_whole(window, ["before"], {"before": whole})


def test_a_drag_from_a_voi_lut_table_starts_where_the_table_was(large, qtbot):
    window, pane = large, large.views.panes["before"]
    window.window_override = VIEWS["VOI LUT table"]
    _show(window, qtbot, 1.0, left=40, top=30)
    window.drag_window(0.0, 0.0)  # the closest linear window
    whole = _whole(window, window.image.pixels)
    assert _check_part(pane, whole) < whole.size / 2
    _same_as_whole(window, ["before"], {"before": whole})


def test_the_readout_reads_pixels_outside_the_part_drawn_first(large, qtbot):
    window = large
    _show(window, qtbot, 1.0, left=0, top=0)
    _show(window, qtbot, 1.0, left=1300, top=900)  # far from the first part
    row, col = 1150, 1550
    value = float(window.image.pixels[row, col])
    window._show_cursor(("before", row + 0.5, col + 0.5))
    assert f"x {col}  y {row}" in window.cursor_label.text()
    assert f"physical {value:.6g}" in window.cursor_label.text()


def _denoise(qtbot, window, steps, samples=0):
    window.controls.steps.setValue(steps)
    window.controls.samples.setValue(samples)
    window.controls.views.setCurrentIndex(window.controls.views.findData(1))
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass


@pytest.fixture
def denoised(window, qtbot, tmp_path, monkeypatch):
    """A 192 x 256 image denoised in 3 steps (kept at 1/2 size) with 2 uncertainty samples."""
    import xraygui.main_window

    small = functools.partial(Trajectory, budget=192 * 256 * 8)  # one full-size frame
    monkeypatch.setattr(xraygui.main_window, "Trajectory", small)
    rng = np.random.default_rng(7)
    pixels = np.clip(1500 + 300 * rng.standard_normal((192, 256)), 0, 4095).astype(np.uint16)
    np.save(tmp_path / "small.npy", pixels)
    window.resize(900, 700)
    assert window.open_file(tmp_path / "small.npy")
    _denoise(qtbot, window, 3, samples=2)
    assert window.trajectory.stride == 2
    window.window_override = Window(1500.0, 1000.0)
    return window


def test_after_residual_and_uncertainty_panes_draw_what_the_whole_draws(denoised, qtbot):
    window, panes = denoised, denoised.views.panes
    window.residual_action.setChecked(True)
    window.uncertainty_action.setChecked(True)
    qtbot.wait(20)
    _show(window, qtbot, 6.0, left=101, top=77)
    window.drag_window(3.0, 2.0)
    whole = _whole(window, window.image.pixels)
    after = _whole(window, window.result.image.pixels)
    assert _check_part(panes["before"], whole) < whole.size / 2
    assert _check_part(panes["after"], after) < whole.size / 2
    _same_as_whole(
        window,
        ["before", "after", "residual", "uncertainty"],
        {"before": whole, "after": after},  # the residual and uncertainty panes draw all
    )


def test_the_swipe_overlay_draws_both_sides_of_the_divider_as_the_whole(denoised, qtbot):
    window, pane = denoised, denoised.views.panes["before"]
    window.swipe_action.setChecked(True)
    qtbot.wait(20)
    _show(window, qtbot, 6.0, left=101, top=77)
    swipe = window.views.swipe
    (x0, x1), _ = pane.view.viewRange()
    whole = _whole(window, window.image.pixels)
    after = _whole(window, window.result.image.pixels)
    for split in (x0 + 0.4 * (x1 - x0), x0 - 30, x1 + 30):  # in sight, past each side
        swipe.divider.setPos(split)
        window.drag_window(2.0, 1.0)
        whole = _whole(window, window.image.pixels)
        after = _whole(window, window.result.image.pixels)
        assert swipe.split == round(split)
        assert swipe.item.image is None or swipe.item.image.shape[0] < after.shape[0]
        _same_as_whole(window, ["before"], {"before": whole, "swipe": after})
    swipe.divider.setPos(x0 + 0.6 * (x1 - x0))
    assert swipe.item.image.shape[0] < after.shape[0]  # a part of the After image
    left = swipe.item.mapRectToParent(swipe.item.boundingRect()).left()
    assert left == swipe.split  # the After side starts at the divider
    window._show_cursor(("before", 100.5, left + 0.5))
    assert "after (denoised):" in window.cursor_label.text()
    window._show_cursor(("before", 100.5, left - 0.5))
    assert "before:" in window.cursor_label.text()


def test_a_step_kept_at_half_size_draws_its_part_as_the_whole_step(denoised, qtbot):
    window, pane = denoised, denoised.views.panes["after"]
    window.timeline.slider.setValue(0)  # the first step: x0 prediction at 1/2 size
    frame = window.trajectory.frames[0]
    assert frame.x0_pred.shape == (96, 128)
    for left, top in ((101, 77), (0, 0), (200, 150)):  # inside, and at two corners
        _show(window, qtbot, 6.0, left=left, top=top)
        window.drag_window(2.0, 1.0)
        step = _whole(window, frame.x0_pred)
        item = pane.image_item
        assert item.image.size < step.size / 2
        rect = item.mapRectToParent(item.boundingRect())
        row, col = round(rect.top()) // 2, round(rect.left()) // 2
        rows, cols = item.image.shape
        assert (rect.width(), rect.height()) == (2 * cols, 2 * rows)
        np.testing.assert_array_equal(item.image, step[row : row + rows, col : col + cols])
        _same_as_whole(
            window,
            ["before", "after"],
            {"before": _whole(window, window.image.pixels), "after": step},
        )


def test_an_export_zoomed_in_holds_the_whole_image(denoised, qtbot, tmp_path):
    window = denoised
    _show(window, qtbot, 6.0, left=101, top=77)
    window.drag_window(5.0, 5.0)
    assert window.views.panes["after"].image_item.image.size < window.image.pixels.size / 2
    written = window.export_image(tmp_path / "export.tif")
    np.testing.assert_array_equal(read_image(written).pixels, window.result.image.pixels)
