"""Closing the main window while its jobs run: they stop, and nothing they send reaches it.

These windows are not the ``window`` fixture's, whose teardown waits for its workers: here
the test closes the window while they run, as the user does, then lets the events come.
"""

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication

from xraygui.main_window import MainWindow
from xraygui.worker import GeneratorWorker

pytestmark = pytest.mark.gui


@pytest.fixture
def started(monkeypatch):
    """Record every worker started, in order."""
    record = []
    start = GeneratorWorker.start
    monkeypatch.setattr(
        GeneratorWorker, "start", lambda worker: record.append(worker) or start(worker)
    )
    return record


@pytest.fixture
def open_window(qtbot, settings, dialogs, small_dicom):
    """A window showing a phantom with itself as the reference, set for a one-step denoise."""
    window = MainWindow(settings=settings)
    window.show()
    assert window.open_file(small_dicom)
    assert window.set_reference(small_dicom)  # its metrics run in a worker
    window.controls.steps.setValue(1)
    window.controls.views.setCurrentIndex(window.controls.views.findData(1))
    yield window
    if shiboken6.isValid(window):  # the test failed before it deleted the window
        window.close()
        window.deleteLater()


def _ended(workers):
    return all(worker.thread is None or worker.thread.isFinished() for worker in workers)


def test_closing_during_a_denoise_ends_its_jobs_and_runs_no_slot_after(
    open_window, qtbot, started, dialogs
):
    window = open_window
    assert window.start_denoise() is not None
    window.close()
    at_close = list(started)
    assert _ended(at_close)  # the close waited for every thread
    # What the workers sent meanwhile is still queued: it reaches nothing, not even the
    # window once it is deleted (a slot on its widgets: "already deleted").
    qtbot.wait(50)
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(window)
    qtbot.waitUntil(lambda: not GeneratorWorker._started, timeout=20_000)
    qtbot.wait(50)
    assert started == at_close  # no job started after the close
    assert dialogs == []


def test_a_deleted_window_gets_none_of_the_results_queued_at_its_close(
    open_window, qtbot, started, dialogs
):
    from core.noise import LowDoseSettings

    window = open_window
    assert window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=1)) is not None
    window.close()
    at_close = list(started)
    window.deleteLater()  # deleted before the queued results are handled
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(window)
    qtbot.waitUntil(lambda: not GeneratorWorker._started, timeout=20_000)
    qtbot.wait(50)
    assert started == at_close
    assert dialogs == []


def test_an_image_read_as_the_window_closes_is_not_shown(
    qtbot, settings, dialogs, small_dicom, started
):
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    keep = window._keep

    def close_once_read(worker):  # the read's result arrives, then the window closes
        keep(worker)
        worker.returned.connect(window.close)

    window._keep = close_once_read
    assert not window.open_file(small_dicom)
    assert window.image is None and not window.isVisible()
    qtbot.wait(50)
    assert len(started) == 1 and _ended(started)  # the read, and no noise estimate after it


def test_a_window_closed_as_it_starts_to_open_a_file_reads_nothing(
    qtbot, settings, dialogs, small_dicom, started
):
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    QTimer.singleShot(0, window.close)  # runs as the status line is painted, before the read
    assert not window.open_file(small_dicom)
    assert window.image is None and started == []


def test_closing_while_idle_saves_the_settings_and_leaves_no_thread(
    qtbot, settings, dialogs, small_dicom, settle
):
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_file(small_dicom)
    settle(window)
    qtbot.waitUntil(lambda: not window._running, timeout=10_000)
    window.controls.steps.setValue(7)
    window.close()
    assert not window.isVisible()
    assert settings.value("geometry") is not None
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.controls.steps.value() == 7
    assert not window._running and not GeneratorWorker._started
