"""Opening an image while a job runs asks whether to cancel it; the browser's selection
follows the image shown.

Before, the open was dropped with a 4-second status message, and the image list kept
highlighting the image asked for, not the one shown.
"""

import shutil

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

pytestmark = pytest.mark.gui

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


@pytest.fixture
def answer(qtbot):
    """Press a button of the next message box; return the texts of the boxes answered."""
    asked = []

    def press(button):
        def click():
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                asked.append((box.text(), box.button(button).text()))
                box.button(button).click()
            else:
                QTimer.singleShot(10, click)

        QTimer.singleShot(10, click)

    press.asked = asked
    return press


@pytest.fixture
def listed(window, qtbot, tmp_path, small_dicom, measurable_dicom):
    """Two images listed in the browser, the first shown, and a long denoise running."""
    folder = tmp_path / "listed"
    folder.mkdir()
    first = shutil.copy(small_dicom, folder / "a.dcm")
    second = shutil.copy(measurable_dicom, folder / "b.dcm")
    scan = window.open_folder(folder)
    with qtbot.waitSignal(scan.finished, timeout=10000):
        pass
    qtbot.waitUntil(lambda: window.browser.count == 2)
    assert window.open_file(first)
    window.controls.steps.setValue(1000)
    worker = window.start_denoise()
    yield window, worker, first, second
    window.cancel()
    qtbot.waitUntil(lambda: window.worker is None, timeout=30000)


def _item(window, path):
    return window.browser._items[path.resolve()]


def test_keep_running_opens_nothing_and_selects_the_image_shown(listed, answer):
    window, worker, first, second = listed
    tree = window.browser.tree
    tree.setCurrentItem(_item(window, second))  # as a double-click or Enter does
    answer(NO)
    window.browser.tree.itemActivated.emit(_item(window, second), 0)
    assert answer.asked == [("A denoise is running. Cancel it and open b.dcm?", "Keep running")]
    assert window.worker is worker and not worker.abort_requested
    assert window.source.source_path == first
    assert tree.currentItem() is _item(window, first)
    assert "Not opened: b.dcm" in window.statusBar().currentMessage()


def test_cancel_and_open_opens_once_the_job_has_stopped(listed, answer, qtbot):
    window, worker, first, second = listed
    answer(YES)
    with qtbot.waitSignal(worker.finished, timeout=30000):
        assert not window.request_open(second)  # not yet: the run stops first
        assert answer.asked[0][1] == "Cancel and open"
        assert worker.abort_requested
    qtbot.waitUntil(lambda: window.source.source_path == second, timeout=10000)
    assert window.result is None and window.worker is None
    assert window.browser.tree.currentItem() is _item(window, second)


def test_an_image_not_listed_clears_the_selection(listed, answer, qtbot, ramp):
    window, worker, first, _ = listed
    assert window.browser.tree.currentItem() is _item(window, first)
    answer(YES)
    window.request_open(ramp)
    qtbot.waitUntil(lambda: window.source.source_path == ramp, timeout=30000)
    assert window.browser.tree.currentItem() is None
    assert window.browser.tree.selectedItems() == []
