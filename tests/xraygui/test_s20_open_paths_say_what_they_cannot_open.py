"""Each way of opening says what it cannot open, and a folder is listed wherever it is given.

Before, Open Recent on a file gone from disk asked to cancel the running job first; a
folder on the command line was an error, where a drop lists its images; a web link
dropped was taken and then nothing happened; and Generate without a model did nothing,
silently.
"""

import shutil

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

pytestmark = pytest.mark.gui


def test_open_recent_of_a_file_gone_leaves_the_job_running(
    window, qtbot, small_dicom, tmp_path, monkeypatch, dialogs
):
    gone = shutil.copy(small_dicom, tmp_path / "gone.dcm")
    assert window.open_file(gone)
    gone.unlink()
    assert window.open_file(small_dicom)
    asked = []
    monkeypatch.setattr(window, "may_cancel_for", lambda name: asked.append(name) or True)
    window.controls.steps.setValue(1000)
    worker = window.start_denoise()
    window._open_recent(str(gone.resolve()))
    assert asked == [] and window.worker is worker and not window._cancelling
    assert dialogs == [
        (
            "critical",
            "Cannot open image",
            f"{gone.resolve()}: file not found; removed from Open Recent",  # its folder is used
        )
    ]
    assert str(gone.resolve()) not in window.recent_files()
    window.cancel()
    with qtbot.waitSignal(worker.finished, timeout=30000):
        pass


def test_a_folder_given_lists_its_images_and_the_file_given_opens(
    window, qtbot, small_dicom, ramp, tmp_path, dialogs
):
    folder = tmp_path / "series"
    folder.mkdir()
    shutil.copy(small_dicom, folder / "a.dcm")
    assert not window.open_files([folder])  # `xraygui FOLDER` (main): nothing to open yet
    qtbot.waitUntil(lambda: window.browser.count == 1, timeout=10000)
    assert not dialogs and window.source is None
    assert window.open_files([folder, ramp])  # a folder and a file
    qtbot.waitUntil(lambda: window.browser.count == 2, timeout=10000)
    assert window.source.source_path == ramp and not dialogs


def _urls(*urls):
    data = QMimeData()
    data.setUrls([QUrl(url) for url in urls])
    return data


def test_a_web_link_is_not_taken_by_a_drag_and_a_drop_of_one_says_so(window, small_dicom):
    web = _urls("https://example.org/x.dcm")
    args = (Qt.DropAction.CopyAction, web, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(10, 10), *args)
    enter.ignore()
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), *args)
    window.dropEvent(drop)
    assert not drop.isAccepted()
    assert window.statusBar().currentMessage() == "Only local files can be opened"
    mixed = _urls("https://example.org/x.dcm", QUrl.fromLocalFile(str(small_dicom)).toString())
    enter = QDragEnterEvent(QPoint(10, 10), args[0], mixed, *args[2:])
    enter.ignore()
    window.dragEnterEvent(enter)
    assert enter.isAccepted()


def test_generate_without_a_model_says_so_as_denoise_does(
    window_on, model_settings, small_dicom, dialogs
):
    window = window_on(model_settings())
    window.open_file(small_dicom)
    window.timeline.set_mode("demo")
    window.timeline.demo.click()
    assert window.worker is None
    (shown,) = dialogs
    assert shown == ("critical", "No model", window.controls.denoise_button.toolTip())
    assert shown[2].startswith("No model is installed.")
