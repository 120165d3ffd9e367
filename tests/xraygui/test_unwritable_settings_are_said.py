"""Settings that cannot be written (a read-only home folder) are said once in the status bar."""

import pytest
from PySide6.QtCore import QSettings

pytestmark = pytest.mark.gui

SAID = "Settings cannot be saved to"


@pytest.fixture
def settings(tmp_path):
    """A settings file whose folder cannot be made: a file stands in its place (even for root)."""
    (tmp_path / "a-file").write_text("not a folder")
    return QSettings(str(tmp_path / "a-file" / "settings.ini"), QSettings.Format.IniFormat)


def test_the_status_bar_says_once_that_the_settings_cannot_be_saved(qtbot, window, small_dicom):
    assert window.open_file(small_dicom)
    said = f"{SAID} {window.settings.fileName()}: "
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith(said), timeout=5000)
    window.statusBar().clearMessage()
    assert window.open_file(small_dicom)
    qtbot.wait(100)
    assert SAID not in window.statusBar().currentMessage()


def test_writable_settings_say_nothing(qtbot, window, small_dicom, tmp_path):
    window.settings = QSettings(str(tmp_path / "ok.ini"), QSettings.Format.IniFormat)
    assert window.open_file(small_dicom)
    qtbot.wait(100)
    assert SAID not in window.statusBar().currentMessage()
    assert (tmp_path / "ok.ini").is_file()
