"""A settings file from before Auto views restores Auto, not the old default it saved; a saved 8,
never a default, is the user's choice and stays."""

import pytest
from PySide6.QtCore import QSettings

from xraygui.controls import ControlPanel

pytestmark = pytest.mark.gui


def test_the_old_saved_count_is_not_restored_and_is_removed(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    store.setValue("denoise/views", 2)  # what every earlier version saved on exit
    store.setValue("denoise/n_steps", 3)
    panel = ControlPanel()
    qtbot.addWidget(panel)
    panel.restore(store)
    assert panel.options().views is None and panel.views.currentText() == "Auto"
    assert panel.options().n_steps == 3  # the other settings are restored as before
    panel.save(store)
    assert store.value("denoise/views") is None
    assert store.value("denoise/views_choice") == "auto"


def test_a_choice_made_after_the_upgrade_is_remembered(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    store.setValue("denoise/views", 4)
    first = ControlPanel()
    qtbot.addWidget(first)
    first.restore(store)
    first.views.setCurrentIndex(first.views.findData(2))
    first.save(store)
    second = ControlPanel()
    qtbot.addWidget(second)
    second.restore(store)
    assert second.options().views == 2


def test_an_old_saved_8_is_kept(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    store.setValue("denoise/views", 8)
    panel = ControlPanel()
    qtbot.addWidget(panel)
    panel.restore(store)
    assert panel.options().views == 8
    panel.save(store)
    assert store.value("denoise/views") is None and int(store.value("denoise/views_choice")) == 8
