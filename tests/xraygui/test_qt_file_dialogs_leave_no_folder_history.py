"""Qt's own file dialogs remember the folders visited (patient folders): the app forgets them.

QFileDialog writes ``history`` and ``lastVisited`` to the group ``FileDialog`` of
``QSettings(UserScope, "QtProject")`` as it closes. These tests point that user scope at a
temporary folder, so that the user's own ``QtProject.conf`` is never read or written.
"""

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

pytestmark = pytest.mark.gui

PATIENT_FOLDER = "Jane Doe"


@pytest.fixture
def qt_user_settings(tmp_path):
    """Put the user-scope settings (Qt's ``QtProject`` among them) in a temporary folder.

    Returns a function making ``QSettings(UserScope, "QtProject")`` there, as QFileDialog
    does. Where the native format is no file (the registry, macOS's preferences), skips.
    """
    native, user = QSettings.Format.NativeFormat, QSettings.Scope.UserScope
    before = str(Path(QSettings(native, user, "probe").fileName()).parent)
    folder = tmp_path / "user-config"
    folder.mkdir()
    QSettings.setPath(native, user, str(folder))
    try:
        if not QSettings(user, "QtProject").fileName().startswith(str(folder)):
            pytest.skip("the native settings format is no file that can be moved")
        yield lambda: QSettings(user, "QtProject")
    finally:
        QSettings.setPath(native, user, before)


def _remember_folders(store, folder):
    """Write what QFileDialog writes as it closes, and a group of another program."""
    store.setValue("FileDialog/history", [f"file://{folder}"])
    store.setValue("FileDialog/lastVisited", f"file://{folder}")
    store.setValue("Other/keep", "yes")
    store.sync()


def _window(qtbot, settings, **options):
    from xraygui.main_window import MainWindow

    window = MainWindow(settings=settings, **options)
    qtbot.addWidget(window)
    return window


def test_open_through_qts_dialog_leaves_no_history(
    qtbot, qt_user_settings, settings, dialogs, ramp, tmp_path
):
    store = qt_user_settings()
    store.setValue("Other/keep", "yes")
    store.sync()
    window = _window(qtbot, settings, dialog_history=qt_user_settings())
    patient = tmp_path / PATIENT_FOLDER
    patient.mkdir()
    target = patient / "Doe_Jane.npy"
    shutil.copy(ramp, target)
    seen = []

    def choose():  # the user walks into the patient's folder and picks the file
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, choose)
            return
        seen.append(dialog)
        dialog.setDirectory(str(patient))
        dialog.findChild(QLineEdit, "fileNameEdit").setText(target.name)
        QTimer.singleShot(50, dialog.accept)

    QTimer.singleShot(20, choose)
    window.choose_files()
    assert seen  # Qt's own dialog: the offscreen platform has no native one
    qtbot.waitUntil(lambda: window.source is not None, timeout=20000)
    assert Path(window.source.source_path) == target
    store.sync()
    assert "FileDialog" not in store.childGroups()
    assert PATIENT_FOLDER not in Path(store.fileName()).read_text(encoding="utf-8")
    assert store.value("Other/keep") == "yes"  # the rest of QtProject.conf stays


def test_history_is_forgotten_at_start_and_at_close(qtbot, qt_user_settings, settings, tmp_path):
    store = qt_user_settings()
    _remember_folders(store, tmp_path / PATIENT_FOLDER)  # a session that crashed, say
    window = _window(qtbot, settings, dialog_history=qt_user_settings())
    store.sync()
    assert "FileDialog" not in store.childGroups()
    _remember_folders(store, tmp_path / PATIENT_FOLDER)  # the training wizard's dialog
    window.close()
    store.sync()
    assert "FileDialog" not in store.childGroups()
    assert store.value("Other/keep") == "yes"


def test_a_window_on_settings_of_its_own_leaves_qts_alone(
    qtbot, qt_user_settings, settings, tmp_path
):
    """Tests and ``--smoke-test`` give the window their settings: the user's stay as they are."""
    store = qt_user_settings()
    _remember_folders(store, tmp_path / PATIENT_FOLDER)
    window = _window(qtbot, settings)
    assert window.dialog_history is None
    window.close()
    store.sync()
    assert store.value("FileDialog/lastVisited") == f"file://{tmp_path / PATIENT_FOLDER}"


def test_the_apps_own_window_forgets_qts_user_history(qtbot, qt_user_settings, tmp_path):
    """The app's window (no settings given) cleans the user-scope QtProject settings."""
    store = qt_user_settings()
    _remember_folders(store, tmp_path / PATIENT_FOLDER)
    window = _window(qtbot, None)
    assert window.dialog_history.fileName() == store.fileName()
    store.sync()
    assert "FileDialog" not in store.childGroups()
