"""Window and level are set by keyboard too: Ctrl+arrow keys and View > Set Window/Level.

Only a right-drag (besides the presets and W) changed them: no way without a mouse.
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from core.image import Window
from xraygui.dialogs import WindowLevelDialog
from xraygui.main_window import CONTROLS

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def opened(window, qtbot, small_dicom):
    assert window.open_file(small_dicom)
    window.window_override = Window(center=2000, width=1000)
    window.refresh()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.views.panes["before"].setFocus()
    return window


@pytest.mark.parametrize(
    "key, center, width",
    [
        (Qt.Key.Key_Right, 2000, 1050),
        (Qt.Key.Key_Left, 2000, 950),
        (Qt.Key.Key_Up, 2050, 1000),
        (Qt.Key.Key_Down, 1950, 1000),
    ],
)
def test_ctrl_arrow_keys_step_the_window_by_5_percent_of_its_width(opened, key, center, width):
    view = opened.views.panes["before"].view.viewRange()
    QTest.keyClick(opened.views.panes["before"], key, CTRL)
    assert opened.window_override.center == pytest.approx(center)
    assert opened.window_override.width == pytest.approx(width)
    assert opened.views.panes["before"].view.viewRange() == view  # no pan


def test_the_keys_are_in_the_help_and_the_view_menu(window):
    keys = ", ".join(keys for keys, _ in CONTROLS)
    for key in ("Ctrl+Left", "Ctrl+Right", "Ctrl+Up", "Ctrl+Down"):
        assert key in keys
    texts = {a.text(): a for a in window.findChildren(QAction)}
    assert "Set &Window/Level..." in texts
    assert texts["&Wider"].shortcut().toString() == "Ctrl+Right"


def test_the_dialog_sets_the_window_typed(opened, monkeypatch):
    def typed(dialog):
        assert dialog.width_field.value() == 1000 and dialog.center_field.value() == 2000
        dialog.width_field.lineEdit().setText("300")
        dialog.center_field.lineEdit().setText("1234.5")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(WindowLevelDialog, "exec", typed)
    shown = opened.choose_window()
    assert shown == Window(center=1234.5, width=300)
    assert opened.window_override == shown


@pytest.mark.parametrize("width, center", [("abc", "10"), ("0.5", "10"), ("10", "")])
def test_the_dialog_keeps_what_is_no_window(qtbot, width, center):
    dialog = WindowLevelDialog(Window(center=2000, width=1000), narrowest=1.0)
    qtbot.addWidget(dialog)
    dialog.width_field.lineEdit().setText(width)
    dialog.center_field.lineEdit().setText(center)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_the_dialog_asks_for_an_image(window, dialogs):
    assert window.choose_window() is None
    assert dialogs == [("information", "No image", "Open an image first.")]
