"""Keyboard use: typing into a focused list beats one-key shortcuts; Tab stays in sight."""

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def test_letters_typed_into_a_list_box_choose_in_it(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.activateWindow()
    device = window.controls.device
    device.setFocus()
    qtbot.keyClicks(device, "cuda")
    assert device.currentText() == "cuda"
    assert not window.uncertainty_action.isChecked()  # U
    assert window.window_override is None  # A: the auto window
    mode = window.timeline.mode
    mode.setFocus()
    qtbot.keyClicks(mode, "f")
    assert window.timeline.current_mode == "forward"
    window.views.fit()
    sampler = window.controls.sampler
    sampler.setFocus()
    qtbot.keyClicks(sampler, "D")  # capitals too: Shift+D, the next entry starting with D
    assert sampler.currentData() == "ddpm"
    assert not window.swipe_action.isChecked()


def test_keys_no_entry_starts_with_stay_the_window_s_shortcuts(
    window, qtbot, small_dicom, denoise_quickly
):
    window.open_file(small_dicom)
    denoise_quickly(window)  # swipe (S) needs an After image
    window.activateWindow()
    sampler = window.controls.sampler
    sampler.setFocus()  # as after picking a sampler with the mouse
    qtbot.keyClick(sampler, Qt.Key.Key_3)  # a window preset
    assert window.window_override is not None
    before = window.views.panes["before"].view.viewRange()
    qtbot.keyClick(sampler, Qt.Key.Key_Equal)  # zoom in
    assert window.views.panes["before"].view.viewRange() != before
    qtbot.keyClick(sampler, Qt.Key.Key_S)  # swipe: no sampler starts with S
    assert window.swipe_action.isChecked()
    assert sampler.currentData() == "ddim"


def _in_sight(widget, window):
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().intersects(QRect(top_left, widget.size()))


def test_tab_never_takes_the_focus_out_of_sight(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.activateWindow()
    window.controls.denoise_button.setFocus()
    seen = []
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        seen.append(type(focus).__name__)
        assert _in_sight(focus, window), seen
    assert "ImagePane" in seen and "QPushButton" in seen  # it went round
    window.browser.show()
    window.tags.show()  # tabbed together: their tab bar is in sight and takes the focus
    qtbot.wait(20)
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert _in_sight(QApplication.focusWidget(), window)
        seen.append(type(QApplication.focusWidget()).__name__)
    assert "QTabBar" in seen
