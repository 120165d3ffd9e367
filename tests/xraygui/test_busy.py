import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStatusBar

from xraygui.busy import busy

pytestmark = pytest.mark.gui


def test_a_wait_cursor_and_the_message_show_only_while_the_work_runs(qtbot):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    with busy(bar, "Simulating a 25 % dose..."):
        assert QApplication.overrideCursor().shape() == Qt.CursorShape.WaitCursor
        assert bar.currentMessage() == "Simulating a 25 % dose..."
    assert QApplication.overrideCursor() is None
    assert bar.currentMessage() == ""


def test_the_cursor_comes_back_after_an_error_and_a_new_message_stays(qtbot):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    with pytest.raises(ValueError), busy(bar, "Opening x.dcm..."):
        raise ValueError("bad")
    assert QApplication.overrideCursor() is None
    with busy(bar, "Opening y.dcm..."):
        bar.showMessage("Showing a simulated 25 % dose")
    assert bar.currentMessage() == "Showing a simulated 25 % dose"
