"""Opening a file says what the reader converted (colour to grey, alpha dropped, ...).

The reader's warnings went only to stderr, and only the first time at each place in the
code: the window now shows them in the status bar and under the panel's status line,
each time, without a dialog. A folder scan in another thread neither takes nor silences
them: each thread collects its own (:func:`core.errors.collecting_warnings`).
"""

import threading

import numpy as np
import pytest
from PIL import Image

import xraygui.catalog
import xraygui.reading
from core.errors import ImageReadError
from core.io.color import warn_converted
from xraygui.catalog import Unreadable, scan_images
from xraygui.reading import ReadResult, read_job

pytestmark = pytest.mark.gui


def _png(path, mode, bands):
    pixels = np.zeros((24, 32, len(bands)), dtype=np.uint8)
    pixels[..., 0] = np.arange(32, dtype=np.uint8) * 8
    Image.fromarray(pixels.squeeze(), mode).save(path)
    return path


def test_each_open_shows_the_readers_warning_in_the_window(window, dialogs, tmp_path, ramp):
    rgba = _png(tmp_path / "rgba.png", "RGBA", "RGBA")
    grey_alpha = _png(tmp_path / "la.png", "LA", "LA")
    expected = {
        rgba: "Warning: rgba.png: RGBA image converted to grayscale (BT.601 luma), alpha dropped",
        grey_alpha: "Warning: la.png: alpha channel dropped",
    }
    for path in (rgba, grey_alpha, rgba):  # the same warning again: said again
        assert window.open_file(path)
        assert window.statusBar().currentMessage() == expected[path]
        assert window.controls.warning.text() == expected[path]
        assert window.controls.warning.isVisible()
    assert dialogs == []  # never a box on every open
    assert window.open_file(ramp)
    assert not window.controls.warning.isVisible()  # nothing to say of this one
    assert window.statusBar().currentMessage() == ""


def test_a_read_records_its_warnings_while_a_scan_reads_in_another_thread(tmp_path, monkeypatch):
    """The open's read starts first and warns while the scan's read runs: the scan, which
    silences its own warnings, neither drops the open's nor makes it wait.
    """
    open_started, scan_started, open_done = (threading.Event() for _ in range(3))
    image = object()

    def open_read(path, frame):
        open_started.set()
        assert scan_started.wait(5)  # the scan's read runs meanwhile
        warn_converted(path, "alpha channel dropped")
        return image

    def scan_read(path, *, digest):
        scan_started.set()
        open_done.wait(5)
        raise ImageReadError(path, "not an image")

    monkeypatch.setattr(xraygui.reading, "read_image", open_read)
    monkeypatch.setattr(xraygui.catalog, "read_image", scan_read)
    (tmp_path / "other.png").write_bytes(b"")
    scanned = []
    scan = threading.Thread(target=lambda: scanned.extend(scan_images([tmp_path])))

    job = read_job(tmp_path / "opened.png", 0)
    next(job)
    threading.Thread(target=lambda: (open_started.wait(5), scan.start())).start()
    with pytest.raises(StopIteration) as stop:
        next(job)
    open_done.set()
    scan.join(10)
    assert stop.value.value == ReadResult(
        image, (f"{tmp_path / 'opened.png'}: alpha channel dropped",)
    )
    assert scanned == [Unreadable(tmp_path / "other.png", "not an image", True)]
