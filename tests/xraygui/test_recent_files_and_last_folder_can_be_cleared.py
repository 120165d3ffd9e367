"""File > Open Recent > Clear Recent Files forgets the files opened lately and the last folder."""

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

pytestmark = pytest.mark.gui


def _stored(settings):
    """The settings as another instance of the app reads them from the file."""
    settings.sync()
    return QSettings(settings.fileName(), QSettings.Format.IniFormat)


def test_clear_recent_files_forgets_the_files_and_the_last_folder(
    window, settings, small_dicom, ramp
):
    assert not window.clear_recent_action.isEnabled()  # nothing to forget yet
    assert window.open_file(small_dicom) and window.open_file(ramp)
    assert window.recent_files() and window.clear_recent_action.isEnabled()
    assert window.recent_menu.isEnabled()
    window.clear_recent_action.trigger()
    assert window.recent_files() == []
    assert window._last_dir() == str(Path.home())
    stored = _stored(settings)
    assert stored.value("recent_files") is None and stored.value("last_dir") is None
    texts = [action.text() for action in window.recent_menu.actions()]
    assert not any(str(small_dicom.parent) in text for text in texts)
    assert not window.clear_recent_action.isEnabled()
    assert not window.recent_menu.isEnabled()
    assert settings.value("loaded_models")  # the rest of the settings stay


def test_a_last_folder_alone_can_be_cleared(window, settings, tmp_path, qtbot):
    worker = window.open_folder(tmp_path)  # remembered as the last folder, no recent file
    assert worker.wait(10000)
    qtbot.wait(10)  # its signals reach the window
    assert window.recent_files() == []
    assert window.clear_recent_action.isEnabled()  # at once, not only once the menu opens
    window.clear_recent_action.trigger()
    assert _stored(settings).value("last_dir") is None
