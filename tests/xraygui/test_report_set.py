"""A report (PDF, JSON, CSV) is written as one unit, whatever its source's name."""

import csv
import errno
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

import core.io.atomic
from core.errors import ImageWriteError
from xraygui import reports
from xraygui.reports import ReportContent, text_safe, write_report

pytestmark = pytest.mark.gui

NAMES = ["scan_report.csv", "scan_report.json", "scan_report.pdf"]
LATIN1_NAME = os.fsdecode(b"M\xfcller.dcm")  # a Latin-1 name, as Linux hands it over
linux_names = pytest.mark.skipif(
    sys.platform != "linux", reason="needs a file system that takes any bytes in a name"
)


def _content(source="scan.dcm"):
    return ReportContent(
        source=source,
        image={
            "rows": 64,
            "columns": 64,
            "pixel_spacing_mm": None,
            "photometric": "MONOCHROME2",
            "format": "dicom",
            "frame": 1,
            "frames": 1,
            "modality": "CR",
            "reference": None,
        },
        patient=None,
        simulation=None,
        denoising=None,
        noise={"before": 1.0, "after": None, "reference": None},
        metrics=[],
        thumbnails={"before": np.random.default_rng(0).random((64, 64))},
    )


def test_a_failed_third_write_leaves_no_part_of_the_report_and_the_retry_keeps_its_names(
    qapp, tmp_path, monkeypatch
):
    real_atomic_write = reports.atomic_write

    @contextmanager
    def full_disk_for_the_csv(path, **kwargs):
        with real_atomic_write(path, **kwargs) as file:
            if Path(path).suffix == ".csv":
                raise OSError(errno.ENOSPC, "No space left on device")
            yield file

    monkeypatch.setattr(reports, "atomic_write", full_disk_for_the_csv)
    with pytest.raises(ImageWriteError, match=r"scan_report\.csv: No space left on device"):
        write_report(_content(), tmp_path)
    assert os.listdir(tmp_path) == []  # no PDF or JSON, and no temporary file either
    monkeypatch.undo()
    written = write_report(_content(), tmp_path)
    assert sorted(p.name for p in written) == NAMES
    assert sorted(os.listdir(tmp_path)) == NAMES


def test_a_failed_rename_removes_the_files_already_renamed(qapp, tmp_path, monkeypatch):
    # A new file is published with a hard link (os.replace where links fail): fail both.
    published = []

    def failing_for_the_json(real):
        def publish(source, destination):
            if str(destination).endswith(".json"):
                raise OSError(errno.EIO, "Input/output error")
            real(source, destination)
            published.append(Path(destination).name)

        return publish

    monkeypatch.setattr(core.io.atomic.os, "link", failing_for_the_json(os.link))
    monkeypatch.setattr(core.io.atomic.os, "replace", failing_for_the_json(os.replace))
    with pytest.raises(ImageWriteError, match=r"scan_report\.json: Input/output error"):
        write_report(_content(), tmp_path)
    assert published  # a file was in place before the JSON failed...
    assert os.listdir(tmp_path) == []  # ...and is removed, with every temporary file


@linux_names
def test_a_source_name_that_is_not_utf8_is_written_escaped(qapp, tmp_path):
    pdf, js, table = write_report(_content(LATIN1_NAME), tmp_path)
    assert os.fsencode(pdf.name) == b"M\xfcller_report.pdf"  # named as the source is
    assert json.loads(js.read_bytes().decode("utf-8"))["source"] == r"M\xfcller.dcm"
    with open(table, encoding="utf-8", newline="") as f:
        assert [row["source"] for row in csv.DictReader(f)] == [r"M\xfcller.dcm"]
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Müller.dcm", "Müller.dcm"),  # valid text is left alone
        (LATIN1_NAME, r"M\xfcller.dcm"),  # a byte that is not UTF-8
        ("a\ud800b", r"a\ud800b"),  # a lone surrogate no byte gives
    ],
)
def test_text_safe_escapes_only_what_utf8_cannot_hold(text, safe):
    assert text_safe(text) == safe
