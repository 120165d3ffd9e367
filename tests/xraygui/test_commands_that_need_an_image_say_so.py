"""Denoise, Simulate Low Dose, Export Report and the exports answer when no image is open.

Their keys (Ctrl+D, Ctrl+L, Ctrl+R, Ctrl+E) did nothing and said nothing; now each says
"Open an image first." as Export Denoised Image says what it lacks.
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

pytestmark = pytest.mark.gui

NO_IMAGE = ("information", "No image", "Open an image first.")


@pytest.mark.parametrize(
    "key",
    [Qt.Key.Key_D, Qt.Key.Key_L, Qt.Key.Key_R, Qt.Key.Key_E],
    ids=["Ctrl+D", "Ctrl+L", "Ctrl+R", "Ctrl+E"],
)
def test_a_key_pressed_with_no_image_open_is_answered(window, qtbot, dialogs, key):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
    assert dialogs == [NO_IMAGE]
    assert window.worker is None


def test_the_commands_themselves_say_it(window, dialogs):
    assert window.start_denoise() is None
    window.choose_low_dose()
    window.choose_report_dir()
    window.choose_export_uncertainty()
    assert dialogs == [NO_IMAGE] * 4
