"""The Views combo: Auto first and by default (core chooses), or an explicit count; remembered."""

import pytest
from PySide6.QtCore import QSettings

from xraygui.controls import ControlPanel
from xraygui.jobs import denoise_settings

pytestmark = pytest.mark.gui


def _panel(qtbot):
    panel = ControlPanel()
    qtbot.addWidget(panel)
    return panel


def test_auto_is_the_default_and_passes_none(qtbot):
    panel = _panel(qtbot)
    assert panel.views.currentIndex() == 0 and panel.views.currentText() == "Auto"
    assert panel.options().views is None
    assert denoise_settings(panel.options()).views is None  # core chooses from the precision
    tip = " ".join(panel.views.toolTip().split())
    assert "Auto (the default): 4 where the network runs in half precision" in tip
    assert "2 elsewhere (float32)" in tip


def test_an_explicit_choice_passes_its_number(qtbot):
    panel = _panel(qtbot)
    assert [panel.views.itemData(i) for i in range(panel.views.count())] == [None, 1, 2, 4, 8]
    panel.views.setCurrentIndex(panel.views.findData(8))
    assert panel.options().views == 8 and denoise_settings(panel.options()).views == 8


def test_auto_and_a_count_are_remembered(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    first = _panel(qtbot)
    first.views.setCurrentIndex(first.views.findData(4))
    first.save(store)
    second = _panel(qtbot)
    second.restore(store)
    assert second.options().views == 4
    second.views.setCurrentIndex(0)
    second.save(store)
    third = _panel(qtbot)
    third.views.setCurrentIndex(third.views.findData(1))
    third.restore(store)
    assert third.options().views is None and third.views.currentText() == "Auto"
