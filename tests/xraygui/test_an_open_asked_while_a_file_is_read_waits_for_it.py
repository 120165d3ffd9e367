"""A file asked for while another is being read opens once that read has ended.

Before, an open asked for during a read (a double-click in the image list, a drop, Open
Recent, the frame picker) was dropped with "Busy: an image is being opened" for 4 s; one
asked for while the "Opening..." message painted (a timer, a queued signal) opened inside
that open, whose file then replaced it, although the request had said it was shown.
"""

import threading
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import QTimer

import xraygui.reading

pytestmark = pytest.mark.gui


@pytest.fixture
def gated_read(monkeypatch):
    """Make reads wait for ``release`` (set at teardown at the latest); record what they read."""
    release = threading.Event()
    reads = []
    real = xraygui.reading.read_image

    def read(path, *args, frame=0, **kwargs):
        reads.append((Path(path).name, frame))
        assert release.wait(20)
        return real(path, *args, frame=frame, **kwargs)

    monkeypatch.setattr(xraygui.reading, "read_image", read)
    yield release, reads
    release.set()


def while_reading(window, release, ask):
    """Run `ask` once the window's read has started in its worker, then let reads end."""

    def attempt():
        if window._read_worker is None:
            QTimer.singleShot(5, attempt)
            return
        ask()
        release.set()

    QTimer.singleShot(0, attempt)


def test_the_last_file_asked_for_during_a_read_opens_after_it(
    window, qtbot, small_dicom, monochrome1_dicom, ramp, gated_read
):
    release, reads = gated_read
    said = []

    def ask():
        said.append(window.request_open(monochrome1_dicom))
        said.append(window.request_open(ramp))  # the latest asked for wins
        said.append(window.statusBar().currentMessage())

    while_reading(window, release, ask)
    assert window.open_file(small_dicom)
    assert said == [False, False, f"ramp.npy opens when {small_dicom.name} has been read"]
    qtbot.waitUntil(lambda: window.source.source_path == ramp, timeout=10000)
    assert reads == [(small_dicom.name, 0), ("ramp.npy", 0)]
    assert not window.statusBar().currentMessage().startswith("ramp.npy opens when")


@pytest.mark.parametrize(
    "way",
    [
        pytest.param(lambda window, path: window.browser.openRequested.emit(path), id="browser"),
        pytest.param(lambda window, path: window.open_files([path]), id="drop"),
        pytest.param(lambda window, path: window._open_recent(str(path)), id="open-recent"),
    ],
)
def test_each_way_of_opening_waits_for_the_read(
    way, window, qtbot, small_dicom, monochrome1_dicom, gated_read
):
    release, _ = gated_read
    while_reading(window, release, lambda: way(window, monochrome1_dicom))
    assert window.open_file(small_dicom)
    qtbot.waitUntil(lambda: window.source.source_path == monochrome1_dicom, timeout=10000)
    assert window.recent_files()[0] == str(monochrome1_dicom.resolve())


def test_a_frame_picked_during_a_frames_read_opens_after_it(window, qtbot, tmp_path, gated_read):
    release, reads = gated_read
    path = tmp_path / "pages.tif"
    pages = np.stack([np.full((48, 64), 1000 * (k + 1), np.uint16) for k in range(3)])
    tifffile.imwrite(path, pages, photometric="minisblack")
    release.set()
    assert window.open_file(path)
    release.clear()
    boxes = []

    def pick_third():
        window.frame_box.setValue(3)
        boxes.append(window.frame_box.value())

    while_reading(window, release, pick_third)
    window.frame_box.setValue(2)
    assert boxes == [3]  # the box stays at the frame asked for while it waits
    qtbot.waitUntil(lambda: window.source.frame == 2, timeout=10000)
    assert window.frame_box.value() == 3
    assert reads == [("pages.tif", 0), ("pages.tif", 1), ("pages.tif", 2)]


def test_a_file_asked_for_as_opening_paints_waits_and_wins(
    window, qtbot, small_dicom, monochrome1_dicom
):
    asked = []
    # Runs in busy()'s paint of "Opening phantom.dcm...", before the read starts.
    QTimer.singleShot(0, lambda: asked.append(window.request_open(monochrome1_dicom)))
    assert window.open_file(small_dicom)
    assert asked == [False]  # not shown yet: it waits for phantom.dcm
    qtbot.waitUntil(lambda: window.source.source_path == monochrome1_dicom, timeout=10000)
    qtbot.wait(50)  # nothing else is left to open over it
    assert window.source.source_path == monochrome1_dicom
    assert window.recent_files()[0] == str(monochrome1_dicom.resolve())
    assert window.windowTitle().startswith(monochrome1_dicom.name)


def test_no_job_starts_as_opening_paints(window, qtbot, small_dicom, monochrome1_dicom):
    assert window.open_file(small_dicom)
    started = []
    QTimer.singleShot(0, lambda: started.append(window.start_denoise()))
    assert window.open_file(monochrome1_dicom)
    assert started == [None] and window.worker is None
