"""The panel offers the CLI's precision choice: Auto, or float32 for the same pixels anywhere."""

import pytest
from PySide6.QtCore import QSettings

from xraygui.controls import ControlPanel
from xraygui.jobs import denoise_settings

pytestmark = pytest.mark.gui


def _panel(qtbot):
    panel = ControlPanel()
    qtbot.addWidget(panel)
    return panel


def test_auto_is_the_default_and_float32_can_be_chosen(qtbot):
    panel = _panel(qtbot)
    assert panel.precision.currentText() == "Auto"
    assert denoise_settings(panel.options()).precision == "auto"
    panel.precision.setCurrentIndex(panel.precision.findData("float32"))
    assert denoise_settings(panel.options()).precision == "float32"


def test_the_choice_is_remembered(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    first = _panel(qtbot)
    first.precision.setCurrentIndex(first.precision.findData("float32"))
    first.save(store)
    second = _panel(qtbot)
    second.restore(store)
    assert second.options().precision == "float32"


def test_a_float32_denoise_in_the_window_records_float32(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    panel = window.controls
    panel.precision.setCurrentIndex(panel.precision.findData("float32"))
    panel.views.setCurrentIndex(0)  # Auto: 2 views in float32
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    assert window.result.precision == "float32 on CPU"
    assert window.result.settings.views == 2
    assert "2 views, network in float32 on CPU" in panel.status.text()
