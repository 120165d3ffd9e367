"""The pixel readout gives the value of what the pane under the cursor shows."""

import functools

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from xraygui.timeline import Trajectory

pytestmark = pytest.mark.gui

ROW, COL = 30, 41


def _denoise(qtbot, window, steps, samples=0):
    window.controls.steps.setValue(steps)
    window.controls.samples.setValue(samples)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    return window.result


def _hover(window, name, row=ROW, col=COL):
    window.views.panes[name].sigCursor.emit((row + 0.5, col + 0.5))
    return window.cursor_label.text()


def _stored(window, value):
    return window.image.mapping.to_stored(np.array([value]))[0]


def test_each_pane_reads_out_the_array_it_shows(window, qtbot, monkeypatch, small_dicom):
    import xraygui.main_window

    small = functools.partial(Trajectory, budget=96 * 96 * 8)  # steps kept at 1/2 size
    monkeypatch.setattr(xraygui.main_window, "Trajectory", small)
    window.open_file(small_dicom)
    window.residual_action.setChecked(True)
    result = _denoise(qtbot, window, 3)
    before = float(window.image.pixels[ROW, COL])
    assert f"before: stored {_stored(window, before)}  physical {before:.6g}" in _hover(
        window, "before"
    )
    final = float(result.image.pixels[ROW, COL])
    assert final != before
    text = _hover(window, "after")
    assert f"after (denoised): stored {_stored(window, final)}  physical {final:.6g}" in text
    residual = before - final
    assert text != _hover(window, "residual")
    assert f"residual (before - result): {residual:.6g}" in _hover(window, "residual")

    window.timeline.slider.setValue(0)  # the first step's x0 prediction, kept at 1/2 size
    assert window.trajectory.stride == 2
    frame = window.trajectory.frames[0]
    x0 = float(frame.x0_pred[ROW // 2, COL // 2])
    expected = f"after: x0 prediction, step 1/3: stored {_stored(window, x0)}  physical {x0:.6g}"
    assert expected in _hover(window, "after")
    window.timeline.show_x0.setCurrentIndex(1)
    x_t = float(frame.x_t[ROW // 2, COL // 2])
    assert f"after: x_t, step 1/3: stored {_stored(window, x_t)}" in _hover(window, "after")

    window.timeline.set_mode("forward")
    t = window.timeline.slider.value()
    forward, _ = window._preview.at(float(t), window.controls.seed.value())
    value = float(forward[ROW, COL])
    assert f"forward, t = {t}: stored {_stored(window, value)}  physical {value:.6g}" in (
        _hover(window, "after")
    )


def test_swipe_reads_out_after_right_of_the_divider(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    result = _denoise(qtbot, window, 1)
    window.swipe_action.setChecked(True)
    window.views.swipe.divider.setPos(COL + 10)
    before = float(window.image.pixels[ROW, COL])
    assert f"before: stored {_stored(window, before)}" in _hover(window, "before")
    final = float(result.image.pixels[ROW, COL + 20])
    assert f"after (denoised): stored {_stored(window, final)}" in _hover(
        window, "before", col=COL + 20
    )


def test_the_uncertainty_pane_reads_out_the_spread(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.uncertainty_action.setChecked(True)
    result = _denoise(qtbot, window, 1, samples=2)
    spread = result.uncertainty
    (rows, cols), (spread_rows, spread_cols) = window.image.shape, spread.shape
    value = float(spread[ROW * spread_rows // rows, COL * spread_cols // cols])
    assert f"uncertainty std: {value:.6g}" in _hover(window, "uncertainty")


def test_the_mouse_over_a_pane_names_that_pane(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    _denoise(qtbot, window, 1)
    qtbot.wait(20)
    for name, label in (("before", "before: "), ("after", "after (denoised): ")):
        pane = window.views.panes[name]
        # The scene's signal of a mouse move, at image pixel (ROW, COL) of this pane
        pane.scene().sigMouseMoved.emit(pane.view.mapViewToScene(QPointF(COL + 0.5, ROW + 0.5)))
        assert window.cursor_label.text().startswith(f"x {COL}  y {ROW}")
        assert label in window.cursor_label.text()
