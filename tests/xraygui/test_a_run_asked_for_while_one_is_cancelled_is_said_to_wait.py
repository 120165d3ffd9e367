"""Esc, then Ctrl+D at once: Cancel is off, and Denoise says it waits for the run to stop.

Before, Cancel stayed enabled (pressing it again did nothing) and the new run was refused
with "Busy: ... press Cancel", which had been pressed.
"""

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def test_cancelled_run_disables_cancel_and_denoise_says_it_is_stopping(
    window, small_dicom, qtbot, settle
):
    assert window.open_file(small_dicom)
    settle(window)
    window.controls.steps.setValue(1000)
    assert window.start_denoise() is not None
    assert window.controls.cancel_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # Cancel the Running Job
    assert not window.controls.cancel_button.isEnabled()
    window.reload_models()  # a model loaded meanwhile keeps Cancel off
    assert not window.controls.cancel_button.isEnabled()
    assert window.start_denoise() is None  # Ctrl+D right after
    assert window.statusBar().currentMessage() == (
        "Cancelling: Denoise is available once the denoise has stopped"
    )
    qtbot.waitUntil(lambda: window.worker is None, timeout=30000)
    window.controls.steps.setValue(1)
    again = window.start_denoise()
    assert again is not None and window.controls.cancel_button.isEnabled()
    with qtbot.waitSignal(again.finished, timeout=30000):
        pass
