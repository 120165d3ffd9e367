"""The display review: minified views, kept zoom, swipe, the readout, keys, Help, zoom limits."""

import re

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage

from core.image import Window
from xraygui.main_window import CONTROLS, HELP_TEXT, ZOOM_SETTLE_MS

pytestmark = pytest.mark.gui


def _shown(pane, qtbot, rows, cols):
    """Return the grey levels (0-255) the pane draws over image rows and cols (slices)."""
    qtbot.wait(ZOOM_SETTLE_MS + 30)  # a zoom is drawn again at its minification once settled
    image = pane.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    screen = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine()
    )
    view = pane.view

    def corner(col, row):
        point = pane.mapFromScene(view.mapViewToScene(QPointF(col, row)))
        return round(point.y()), round(point.x())

    top, left = corner(cols.start, rows.start)
    bottom, right = corner(cols.stop, rows.stop)
    return screen[top:bottom, left:right].astype(float)


def _scale(window, name="before"):
    """Screen pixels per image pixel, and the centre, of a pane's view."""
    view = window.views.panes[name].view
    (x0, x1), (y0, y1) = view.viewRange()
    return view.width() / (x1 - x0), ((x0 + x1) / 2, (y0 + y1) / 2)


def test_a_minified_view_averages_pixels_and_1_to_1_draws_each(window, qtbot, tmp_path):
    # Vertical bars, 2 px black and 2 px white: a quarter of their size (a screen pixel
    # covers 4 image pixels) drawing one pixel of each few aliases them into black or
    # white stripes.
    bars = np.tile(np.repeat(np.array([0, 255], np.float32), 2), (1600, 400))
    np.save(tmp_path / "bars.npy", bars)
    window.resize(1200, 800)
    assert window.open_file(tmp_path / "bars.npy")
    window.window_override = Window(127.5, 255.0)  # 0 black, 255 white
    window.refresh()
    pane = window.views.panes["before"]
    _set_scale(pane, 0.25, left=0)
    assert _scale(window)[0] == pytest.approx(0.25, rel=1e-3)
    shown = _shown(pane, qtbot, slice(400, 1200), slice(400, 1200))
    assert shown.size > 1000
    assert abs(shown.mean() - 127.5) < 10
    assert shown.min() > 64 and shown.max() < 192, np.unique(shown)  # grey, no stripes
    window.views.one_to_one()  # zoomed in again: each pixel drawn as it is
    pane.view.setRange(xRange=(700, 700 + pane.view.width()), padding=0)
    shown = _shown(pane, qtbot, slice(700, 800), slice(720, 820))
    np.testing.assert_array_equal(shown, bars[700:800, 720:820])

    noise = np.random.default_rng(0).integers(0, 2, (300, 400)).astype(np.float32) * 255
    np.save(tmp_path / "noise.npy", noise)
    assert window.open_file(tmp_path / "noise.npy")
    window.window_override = Window(127.5, 255.0)
    window.refresh()
    window.views.one_to_one()
    pane.view.setRange(xRange=(-20, pane.view.width() - 20), padding=0)  # whole pixels
    shown = _shown(pane, qtbot, slice(50, 250), slice(100, 300))
    np.testing.assert_array_equal(shown, noise[50:250, 100:300])


def _set_scale(pane, scale, *, left):
    """Show the image at `scale` screen pixels per image pixel from column `left`."""
    pane.view.setRange(xRange=(left, left + pane.view.width() / scale), padding=0)


@pytest.mark.parametrize("scale", [0.99, 0.9, 0.7])
def test_just_under_1_to_1_no_detail_is_averaged_away_and_no_column_repeats(
    window, qtbot, tmp_path, scale
):
    noise = np.random.default_rng(1).integers(0, 256, (400, 1200)).astype(np.float32)
    np.save(tmp_path / "noise.npy", noise)
    window.resize(1200, 800)
    assert window.open_file(tmp_path / "noise.npy")
    window.window_override = Window(127.5, 256.0)
    window.refresh()
    pane = window.views.panes["before"]
    _set_scale(pane, scale, left=0)
    shown = _shown(pane, qtbot, slice(100, 300), slice(100, 300))
    assert shown.shape[1] >= 0.99 * 200 * scale  # all in sight
    assert pane.image_item._blocks == (1, 1)  # a block of pixels is wider than a screen pixel
    repeats = np.mean(np.all(shown[:, 1:] == shown[:, :-1], axis=0))
    assert repeats < 0.02  # no screen column a copy of its neighbour: every pixel counts
    assert np.abs(np.diff(shown, axis=1)).mean() > 20  # the noise's detail is still there


def test_layout_changes_keep_the_zoom_and_1_to_1(window, qtbot, measurable_dicom):
    window.resize(1300, 800)
    window.open_file(measurable_dicom)
    qtbot.wait(20)
    for _ in range(3):
        window.views.zoom(1.25)
    window.views.pan(-0.2, 0.1)
    scale, centre = _scale(window)
    for action, on in (
        (window.residual_action, True),
        (window.residual_action, False),
        (window.swipe_action, True),
        (window.swipe_action, False),
    ):
        action.setChecked(on)
        qtbot.wait(20)
        assert _scale(window) == (pytest.approx(scale), pytest.approx(centre)), action.text()
    window.metrics_dock.hide()
    window.resize(1100, 700)
    qtbot.wait(20)
    assert _scale(window) == (pytest.approx(scale), pytest.approx(centre))

    window.views.one_to_one()
    qtbot.wait(20)
    window.residual_action.setChecked(True)
    window.metrics_dock.show()
    window.resize(1300, 800)
    qtbot.wait(20)
    for name in ("before", "after", "residual"):
        assert _scale(window, name)[0] == pytest.approx(1.0)


def test_fit_stays_fit_as_the_panes_change_size(window, qtbot, measurable_dicom):
    window.resize(1300, 800)
    window.open_file(measurable_dicom)
    window.views.fit()
    window.residual_action.setChecked(True)  # narrower panes: the image shrinks to fit
    qtbot.wait(20)
    view = window.views.panes["before"].view
    (x0, x1), (y0, y1) = view.viewRange()
    assert x0 <= 0 and x1 >= 384 and y0 <= 0 and y1 >= 384
    assert min(x1 - x0, y1 - y0) == pytest.approx(384)


def test_swipe_comes_on_in_sight_and_its_title_says_what_is_shown(window, qtbot, small_dicom):
    window.open_file(small_dicom)  # 96 px
    _denoise(qtbot, window, 1)  # swipe needs an After image
    view = window.views.panes["before"].view
    view.setRange(xRange=(5, 35), yRange=(30, 60), padding=0)
    window.swipe_action.setChecked(True)
    qtbot.wait(20)
    (x0, x1), _ = view.viewRange()
    split = window.views.swipe.split
    assert x0 < split < x1 and split == round(split)
    title = window.views.panes["before"].title
    assert title.text == "Before | After (drag the divider)"
    window.views.pan(-1, 0)  # the divider is now right of the view: Before alone shows
    assert title.text == "Before (the swipe divider is off to the right)"
    window.views.pan(3, 0)
    assert title.text == "After (the swipe divider is off to the left)"
    window.swipe_action.setChecked(False)
    assert title.text == "Before"


def _denoise(qtbot, window, steps):
    window.controls.steps.setValue(steps)
    window.controls.views.setCurrentIndex(window.controls.views.findData(1))
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass


def test_the_readout_keeps_its_numbers_in_sight(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    _denoise(qtbot, window, 4)
    window.timeline.slider.setValue(1)  # a step: the longest label
    window.resize(940, 560)
    window._show_cursor(("after", 10.5, 20.5))
    qtbot.wait(20)
    label = window.cursor_label
    assert "step 2/4: stored" in label.text()
    assert label.isVisible() and label.width() >= label.sizeHint().width()
    assert label.geometry().right() <= window.statusBar().width()


def test_a_status_message_shows_beside_the_readout(window, qtbot, small_dicom):
    window.resize(1300, 700)
    window.open_file(small_dicom)
    window._show_cursor(("before", 10.5, 20.5))
    window.apply_preset(2)  # "Window: Auto ..." for 3 s
    window._show_cursor(("before", 11.5, 20.5))
    qtbot.wait(20)
    assert window.statusBar().currentMessage().startswith("Window: Auto")
    label = window.cursor_label
    assert label.isVisible() and label.width() >= label.sizeHint().width()
    assert label.text().startswith("x 20  y 11")


def test_a_status_message_has_room_in_a_narrow_window(window, qtbot, small_dicom):
    window.resize(780, 700)
    window.open_file(small_dicom)
    window._show_cursor(("before", 10.5, 20.5))
    bar = window.statusBar()
    message = "Report written: report.pdf, report.json, report.csv"
    bar.showMessage(message, 8000)
    qtbot.wait(20)
    room = bar.width() - sum(
        label.width() + 6 for label in (window.cursor_label, window.window_label)
    )
    assert bar.fontMetrics().horizontalAdvance(message) < room  # the size and device step aside
    assert window.cursor_label.isVisible()
    assert not window.size_label.isVisible() and not window.device_label.isVisible()
    bar.clearMessage()
    qtbot.wait(20)
    assert window.size_label.isVisible() and window.device_label.isVisible()


def test_keys_move_the_swipe_divider_and_the_region(window, qtbot, small_dicom):
    window.open_file(small_dicom)  # 96 px, fitted: a key step is 5 px
    _denoise(qtbot, window, 1)  # swipe needs an After image
    window.activateWindow()
    window.swipe_action.setChecked(True)
    window.roi_action.setChecked(True)
    pane = window.views.panes["before"]
    pane.setFocus()
    qtbot.wait(20)
    split = window.views.swipe.split
    qtbot.keyClick(pane, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.views.swipe.split > split
    region = window.region()
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(pane, Qt.Key.Key_Left, alt)
    qtbot.keyClick(pane, Qt.Key.Key_Down, alt)
    moved = window.region()
    assert moved.col < region.col and moved.row > region.row
    assert (moved.height, moved.width) == (region.height, region.width)
    qtbot.keyClick(pane, Qt.Key.Key_Right, alt | Qt.KeyboardModifier.ShiftModifier)
    resized = window.region()
    assert resized.width > moved.width and (resized.row, resized.col) == (moved.row, moved.col)
    for _ in range(40):  # held down: the region stays on the image
        qtbot.keyClick(pane, Qt.Key.Key_Left, alt)
    assert window.region().col == 0 and window.region().width == resized.width


def test_swipe_reads_out_the_image_drawn_under_the_cursor(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    _denoise(qtbot, window, 1)
    window.swipe_action.setChecked(True)
    swipe = window.views.swipe
    for divider in (40.4, 40.6):
        swipe.divider.setPos(divider)
        left = swipe.item.mapRectToParent(swipe.item.boundingRect()).left()  # After from here
        assert swipe.split == left
        for col in (left - 0.3, left + 0.2, left + 0.5, left + 0.8):
            window._show_cursor(("before", 30.5, col))
            after = "after (denoised):" in window.cursor_label.text()
            assert after == (col >= left), (divider, col, window.cursor_label.text())


def _keys_listed():
    listed = set()
    for keys, _ in CONTROLS:
        for key in re.split(r",\s*", keys):
            span = re.fullmatch(r"(\d)-(\d)", key)
            listed.update(
                str(n) for n in range(int(span[1]), int(span[2]) + 1)
            ) if span else listed.add(key)
    return listed


DEDICATED_KEYS = {"Open", "Help", "Exit"}
"""Keys of some keyboards only, which Qt's standard shortcuts may name (Quit is Exit offscreen)."""


def test_help_lists_every_shortcut(window):
    listed = _keys_listed()
    shortcuts = {
        sequence.toString()
        for action in window.actions()
        for sequence in action.shortcuts()
        if not sequence.isEmpty() and sequence.toString() not in DEDICATED_KEYS
    }
    assert {"Ctrl+O", "F1", "+", "S"} <= shortcuts
    assert shortcuts <= listed, shortcuts - listed
    assert all(f"<b>{keys}</b>" in HELP_TEXT for keys, _ in CONTROLS)


def test_zoom_stops_before_the_image_vanishes_or_one_pixel_fills_the_pane(window, small_dicom):
    window.open_file(small_dicom)  # 96 px
    window.views.fit()
    fit = _scale(window)[0]
    for _ in range(60):  # a held key
        window.views.zoom(1 / 1.25)
    scale, centre = _scale(window)
    assert scale >= min(fit / 10, 1.0) * 0.999 and scale < fit
    assert centre == pytest.approx((48, 48))
    window.views.fit()
    for _ in range(200):
        window.views.zoom(1.25)
    view = window.views.panes["before"].view
    (x0, x1), (y0, y1) = view.viewRange()
    assert min(x1 - x0, y1 - y0) == pytest.approx(4)
    assert ((x0 + x1) / 2, (y0 + y1) / 2) == pytest.approx((48, 48))
