"""Opening a file reads it in a worker: the window paints, and a slow read offers Cancel."""

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

import xraygui.reading

pytestmark = pytest.mark.gui


@pytest.fixture
def gated_read(monkeypatch):
    """Make reads wait for ``release`` (set at teardown at the latest); record their threads."""
    release = threading.Event()
    threads = []
    real = xraygui.reading.read_image

    def read(*args, **kwargs):
        threads.append(threading.current_thread())
        assert release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(xraygui.reading, "read_image", read)
    yield release, threads
    release.set()


def test_the_window_runs_its_events_and_shows_it_is_busy_while_a_file_is_read(
    window, small_dicom, gated_read
):
    release, threads = gated_read
    seen = []

    def look_then_release():
        seen.append(
            (
                QApplication.overrideCursor().shape(),
                window.statusBar().currentMessage(),
                window.image,
                window.start_denoise(),
            )
        )
        release.set()

    QTimer.singleShot(50, look_then_release)  # runs only if the GUI thread is not blocked
    assert window.open_file(small_dicom)
    assert threads and threads[0] is not threading.main_thread()
    assert seen == [(Qt.CursorShape.WaitCursor, f"Opening {small_dicom.name}...", None, None)]
    assert window.image is not None and window.image.source_path == small_dicom
    assert QApplication.overrideCursor() is None


def test_a_slow_read_offers_cancel_and_cancel_keeps_the_image_shown(
    window, small_dicom, monochrome1_dicom, gated_read
):
    release, _ = gated_read
    release.set()
    assert window.open_file(small_dicom)
    shown = window.image
    release.clear()
    dialogs = []

    def cancel_when_offered():
        found = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
        if not found:
            QTimer.singleShot(50, cancel_when_offered)
            return
        dialogs.append(found[0].labelText())
        found[0].findChild(QPushButton).click()

    QTimer.singleShot(xraygui.reading.OFFER_CANCEL_AFTER_MS, cancel_when_offered)
    assert not window.open_file(monochrome1_dicom)
    assert dialogs == [f"Opening {monochrome1_dicom.name}..."]
    assert window.image is shown
    release.set()  # the abandoned read ends in its thread; its image is never shown
    for worker in list(window._running):
        assert worker.wait(10_000)
    QApplication.processEvents()
    assert window.image is shown
    assert not [d for d in window.findChildren(QProgressDialog) if d.isVisible()]


def test_a_file_that_cannot_be_read_still_gets_its_one_line_reason(window, tmp_path, dialogs):
    bad = tmp_path / "broken.dcm"
    bad.write_bytes(b"DICM but not really")
    assert not window.open_file(bad)
    assert window.image is None
    [(kind, title, text)] = dialogs
    assert (kind, title) == ("critical", "Cannot open image")
    assert "broken.dcm" in text and "\n" not in text


def test_a_reference_is_read_in_a_worker_too(window, small_dicom, gated_read):
    release, threads = gated_read
    release.set()
    assert window.open_file(small_dicom)
    assert window.set_reference(small_dicom)
    assert len(threads) == 2 and threading.main_thread() not in threads
    assert window.reference is not None
