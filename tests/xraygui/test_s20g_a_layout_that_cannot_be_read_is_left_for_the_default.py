"""A saved layout that is not a byte array (a file cut short, edited by hand) starts the app."""

import pytest
from PySide6.QtCore import QSettings

pytestmark = pytest.mark.gui

SAID = "The saved window layout could not be read: default layout used"


@pytest.mark.parametrize(
    "line",
    [
        "geometry=garbage",  # a str
        "state=garbage",
        "geometry=a, b",  # a list
        "geometry=@Variant(\\0\\0\\0\\x2\\0\\0\\0\\x5)",  # an int
        "geometry=@ByteArray(\\x1\\xd9\\xd0\\xcb\\0\\x3\\0\\0\\0\\0\\0)",  # a cut byte array
    ],
)
def test_a_layout_that_is_not_a_byte_array_leaves_the_default(tmp_path, window_on, line):
    path = tmp_path / "s.ini"
    path.write_text(f"[General]\n{line}\n")
    window = window_on(QSettings(str(path), QSettings.Format.IniFormat))
    assert window.statusBar().currentMessage() == SAID
    default = window_on(QSettings(str(tmp_path / "new.ini"), QSettings.Format.IniFormat))
    assert window.size() == default.size()
    key = line.split("=")[0]
    assert not window.settings.contains(key)  # removed: the next start says nothing


def test_a_layout_saved_by_the_app_is_restored_without_a_word(tmp_path, qtbot, window_on):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = window_on(store)
    first.show()
    first.close()
    window = window_on(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert window.statusBar().currentMessage() != SAID
    assert window.settings.contains("geometry") and window.settings.contains("state")
