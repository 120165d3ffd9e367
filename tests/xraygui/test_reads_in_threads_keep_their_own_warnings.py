"""Reads in worker threads neither take, nor silence, nor wait for each other's warnings.

Opening a file (:func:`xraygui.reading.read_job`) recorded its reader's warnings with
``warnings.catch_warnings(record=True)``, which swaps Python's one process-wide warnings
state: a warning of another thread's read was shown as the opened file's, and after one
interleaving with training's reading the process's warnings went to a dead list for good.
A lock shared with the browser's scan made an open wait for the scan's current read. Each
thread now collects its own (:func:`core.errors.collecting_warnings`), under no lock.
"""

import contextlib
import threading
import warnings

import numpy as np
import pytest
from PIL import Image

import xraygui.catalog
import xraygui.reading
from core.errors import XrayWarning
from core.io import read_image
from core.io.color import warn_converted
from core.training.data import ImageRecord, load_images
from xraygui.catalog import ScanEntry, scan_images
from xraygui.reading import ReadResult, read_job

pytestmark = pytest.mark.gui


def _colour_png(path):
    Image.fromarray(np.full((16, 16, 4), 90, np.uint8), "RGBA").save(path)
    return path


def _run_read_job(path, results):
    job = read_job(path, 0)
    next(job)
    with pytest.raises(StopIteration) as stop:
        next(job)
    results[path] = stop.value.value


def _pause_after_reading(monkeypatch, module, path, *events):
    """Make `module`'s read of `path` set the first event, then wait for the second."""
    real = module.read_image
    reached, go_on = events

    def read(file, *args, **kwargs):
        image = real(file, *args, **kwargs)
        if file == path:
            reached.set()
            assert go_on.wait(5), "the other thread's read was kept waiting"
        return image

    monkeypatch.setattr(module, "read_image", read)


def _join(*threads):
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)


def test_an_open_takes_no_warning_of_another_threads_read(tmp_path, monkeypatch):
    """A's collection is open; B's reader warns, uncollected (as the wizard's scan reads)."""
    opened = _colour_png(tmp_path / "opened.png")
    a_in, b_done = threading.Event(), threading.Event()
    _pause_after_reading(monkeypatch, xraygui.reading, opened, a_in, b_done)
    results = {}

    def other_read():
        assert a_in.wait(5)
        with contextlib.suppress(XrayWarning):  # raised where the test run makes it an error
            warn_converted(tmp_path / "other.png", "RGB image converted to grayscale")
        b_done.set()

    _join(
        threading.Thread(target=_run_read_job, args=(opened, results)),
        threading.Thread(target=other_read),
    )
    said = "RGBA image converted to grayscale (BT.601 luma), alpha dropped"
    assert results[opened].warnings == (f"{opened}: {said}",)


def test_an_open_and_a_scan_each_keep_their_own_and_neither_waits(tmp_path, monkeypatch):
    """The open's read holds its collection while the scan reads colour files, and back."""
    opened = _colour_png(tmp_path / "opened.png")
    folder = tmp_path / "scanned"
    folder.mkdir()
    scanned_files = [_colour_png(folder / f"c{k}.png") for k in range(3)]
    a_in, scan_done = threading.Event(), threading.Event()
    _pause_after_reading(monkeypatch, xraygui.reading, opened, a_in, scan_done)
    results, scanned = {}, []

    def scan():
        assert a_in.wait(5)
        scanned.extend(scan_images([folder]))  # silenced: a warning would raise in the test run
        scan_done.set()

    _join(
        threading.Thread(target=_run_read_job, args=(opened, results)),
        threading.Thread(target=scan),
    )
    said = "RGBA image converted to grayscale (BT.601 luma), alpha dropped"
    assert results[opened].warnings == (f"{opened}: {said}",)
    assert [type(entry) for entry in scanned] == [ScanEntry] * 3
    assert [entry.path for entry in scanned] == scanned_files


def test_an_open_does_not_wait_for_the_scans_current_read(tmp_path, monkeypatch):
    folder = tmp_path / "scanned"
    folder.mkdir()
    slow = _colour_png(folder / "slow.png")
    opened = _colour_png(tmp_path / "opened.png")
    scan_reading, opened_done = threading.Event(), threading.Event()
    _pause_after_reading(monkeypatch, xraygui.catalog, slow, scan_reading, opened_done)
    results, scanned = {}, []
    scan = threading.Thread(target=lambda: scanned.extend(scan_images([folder])))
    scan.start()
    assert scan_reading.wait(5)  # the scan is inside slow.png's read, until the open is done

    def open_file():
        _run_read_job(opened, results)
        opened_done.set()

    opening = threading.Thread(target=open_file)
    opening.start()
    finished = opened_done.wait(5)
    opened_done.set()  # let the scan go on in any case
    opening.join(10)
    scan.join(10)
    assert finished, "the open waited for the scan's read"
    assert isinstance(results[opened], ReadResult) and len(results[opened].warnings) == 1
    assert [entry.path for entry in scanned] == [slow]


def test_reads_in_threads_leave_the_process_warnings_as_they_were(tmp_path, monkeypatch, caplog):
    """The interleaving that left warnings at a dead list: the open's read starts, training's
    reading (its own catch_warnings, in the training process) starts, the open ends, then
    training ends."""
    opened, trained = _colour_png(tmp_path / "opened.png"), _colour_png(tmp_path / "train.png")
    a_in, b_in, a_out = (threading.Event() for _ in range(3))
    _pause_after_reading(monkeypatch, xraygui.reading, opened, a_in, b_in)
    filters, show, show_impl = (
        list(warnings.filters),
        warnings.showwarning,
        (warnings._showwarnmsg_impl),
    )
    results, loaded = {}, {}

    def open_file():
        _run_read_job(opened, results)
        a_out.set()

    def training_reader(path, frame=0):
        image = read_image(path, frame=frame)
        b_in.set()
        assert a_out.wait(5)
        return image

    def train():
        assert a_in.wait(5)
        loaded["images"], loaded["skipped"] = load_images(
            [ImageRecord(trained, "p")], reader=training_reader
        )

    _join(threading.Thread(target=open_file), threading.Thread(target=train))
    assert warnings.filters == filters
    assert warnings.showwarning is show and warnings._showwarnmsg_impl is show_impl
    said = "RGBA image converted to grayscale (BT.601 luma), alpha dropped"
    assert results[opened].warnings == (f"{opened}: {said}",)
    assert len(loaded["images"]) == 1 and f"{trained}: {said}" in caplog.messages
