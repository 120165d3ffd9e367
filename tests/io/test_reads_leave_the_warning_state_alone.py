"""Reading an image never swaps Python's process-wide warning state under other threads.

The app reads in worker threads. A read wrapped in ``warnings.catch_warnings`` replaces the
filters and ``showwarning`` of every thread while it runs, and puts back what it found when
it ends, whichever thread changed them meanwhile. A program silences the reader libraries'
remarks once, as it starts (:func:`core.io.silence_reader_libraries`).
"""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

import core.io
from core.cli import main
from core.errors import collecting_warnings, issue_warning
from core.io.dicom_write import new_dataset
from core.training.data import ImageRecord, load_images

WAIT_S = 10


def _png(path: Path) -> Path:
    Image.fromarray(np.arange(48 * 40, dtype=np.uint16).reshape(48, 40)).save(path)
    return path


def _warn_while_another_thread_reads(read, monkeypatch) -> list[str]:
    """Issue a pydicom-attributed warning while `read` (run in a thread) is inside a read.

    Returns what this thread's ``showwarning`` received.
    """
    inside, go = threading.Event(), threading.Event()
    real_png_reader = core.io._READERS["png"]

    def blocking_reader(path, frame):
        inside.set()
        assert go.wait(WAIT_S)
        issue_warning(f"{path}: the reader's own note")
        return real_png_reader(path, frame)

    monkeypatch.setitem(core.io._READERS, "png", blocking_reader)
    seen: list[str] = []
    monkeypatch.setattr(
        warnings, "showwarning", lambda message, *args, **kw: seen.append(str(message))
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            read()
        except BaseException as error:  # reported in the test's own thread
            errors.append(error)

    reader = threading.Thread(target=run)
    reader.start()
    try:
        assert inside.wait(WAIT_S)
        # No filter of this thread's own: a read's filter, ahead of the rest, would decide.
        warnings.warn_explicit("another thread's", UserWarning, "pydicom/x.py", 1, module="pydicom")
    finally:
        go.set()
        reader.join(WAIT_S)
    assert not errors, errors
    return seen


def test_a_read_does_not_silence_another_threads_warnings(tmp_path, monkeypatch):
    path = _png(tmp_path / "a.png")

    def read() -> None:
        with collecting_warnings():  # the reader's own note: not this test's concern
            core.io.read_image(path)

    assert _warn_while_another_thread_reads(read, monkeypatch) == ["another thread's"]


def test_training_does_not_take_another_threads_warnings_for_its_files(
    tmp_path, monkeypatch, caplog
):
    path = _png(tmp_path / "a.png")

    def read() -> None:
        (image,), skipped = load_images([ImageRecord(path, "p")])
        assert skipped == []

    with caplog.at_level(logging.WARNING, logger="core.training.data"):
        seen = _warn_while_another_thread_reads(read, monkeypatch)
    assert seen == ["another thread's"]
    logged = [record.getMessage() for record in caplog.records]
    assert logged == [f"{path}: the reader's own note"]


def test_the_programs_silence_pydicom_once_as_they_start():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        core.io.silence_reader_libraries()
        warnings.warn_explicit("a remark", UserWarning, "pydicom/x.py", 1, module="pydicom")
        warnings.warn_explicit("ours", UserWarning, "core/x.py", 1, module="core.x")
    assert [str(warning.message) for warning in caught] == ["ours"]
    assert logging.getLogger("tifffile").getEffectiveLevel() == logging.ERROR


def _dicom_pydicom_remarks_on(path: Path) -> Path:
    """A DICOM whose PatientName is longer than DICOM allows: pydicom warns as it reads it."""
    dataset = new_dataset(
        np.arange(64, dtype=np.uint16).reshape(8, 8),
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="P1",
        description="",
        modality="CR",
        window=None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset.PatientName = "x" * 100
    dataset.save_as(path, enforce_file_format=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        core.io.read_image(path)
    assert any("exceeds" in str(warning.message) for warning in caught)  # the premise
    return path


def test_the_command_line_keeps_pydicoms_remarks_from_the_user(tmp_path, capsys):
    path = _dicom_pydicom_remarks_on(tmp_path / "long_name.dcm")
    assert main(["info", str(path)]) == 0
    assert "exceeds" not in capsys.readouterr().err
