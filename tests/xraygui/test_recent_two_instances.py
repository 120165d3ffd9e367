"""Two instances of the app sharing the settings file keep each other's recent files and models."""

import shutil

import pytest
from PySide6.QtCore import QSettings

from core.diffusion import card_path

pytestmark = pytest.mark.gui


def _store(path):
    return QSettings(str(path), QSettings.Format.IniFormat)


@pytest.fixture
def second(qtbot, window, settings, tmp_path):
    """Another instance on the same settings file, holding its own copy in memory.

    Two QSettings of one process on one path share their copy; reached through a
    link, the file is read and written by each on its own, as by two processes.
    """
    from xraygui.main_window import MainWindow

    link = tmp_path / "same-folder"
    link.symlink_to(tmp_path)
    store = _store(link / "settings.ini")
    settings.setValue("probe", 1)
    assert store.value("probe") is None  # not shared in memory
    settings.remove("probe")
    other = MainWindow(settings=store)
    qtbot.addWidget(other)
    yield other
    for worker in list(other._running):
        worker.quit()
        worker.wait(5000)


def test_two_instances_keep_each_others_recent_files(window, second, small_dicom, ramp):
    assert window.open_file(small_dicom)
    assert second.open_file(ramp)
    both = [str(ramp.resolve()), str(small_dicom.resolve())]
    assert second.recent_files() == both
    assert [action.text() for action in second.recent_menu.actions()][:-2] == both  # Clear
    assert window.recent_files() == both


def test_two_instances_keep_each_others_loaded_models(
    window, second, settings, tiny_model_path, tmp_path
):
    copies = []
    for name in ("first", "second"):
        copy = tmp_path / f"{name}.safetensors"
        shutil.copy(tiny_model_path, copy)
        shutil.copy(card_path(tiny_model_path), card_path(copy))
        copies.append(str(copy.resolve()))
    assert window.add_model_file(copies[0])
    assert second.add_model_file(copies[1])
    stored = _store(settings.fileName()).value("loaded_models")
    assert stored == [copies[1], copies[0], str(tiny_model_path)]
