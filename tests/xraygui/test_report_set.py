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
from core.io.atomic import DestinationExistsError
from core.io.safe_text import text_safe
from xraygui import reports
from xraygui.reports import ReportContent, write_report

pytestmark = pytest.mark.gui

NAMES = ["scan_report.csv", "scan_report.json", "scan_report.pdf"]
LATIN1_NAME = os.fsdecode(b"M\xfcller.dcm")  # a Latin-1 name, as Linux hands it over
linux_names = pytest.mark.skipif(
    sys.platform != "linux", reason="needs a file system that takes any bytes in a name"
)


def _content(source="scan.dcm"):
    """A report with identifiers: its files are named after the source (as given)."""
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
        identifiers=True,
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
    with open(table, encoding="utf-8-sig", newline="") as f:
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


# A report whose name another writer takes during the write moves to the next free name.

THEIRS = b"another writer's file"
SUFFIXES = (".pdf", ".json", ".csv")


def _clash_before_the_write(monkeypatch, clashes, times):
    """Another writer creates ``<stem>.json`` once the stem is chosen (`times` times)."""
    real_write_files = reports.write_files

    def write_files(files):
        if len(clashes) < times:
            (json_path,) = (path for path in files if path.suffix == ".json")
            json_path.write_bytes(THEIRS)
            clashes.append(json_path.name)
        return real_write_files(files)

    monkeypatch.setattr(reports, "write_files", write_files)


def _clash_before_the_publish(monkeypatch, clashes, times):
    """Another writer creates ``<stem>.json`` once its temporary file is written."""
    real_atomic_write = reports.atomic_write

    @contextmanager
    def atomic_write(path, **kwargs):
        with real_atomic_write(path, **kwargs) as file:
            yield file
            if Path(path).suffix == ".json" and len(clashes) < times:
                Path(path).write_bytes(THEIRS)
                clashes.append(Path(path).name)

    monkeypatch.setattr(reports, "atomic_write", atomic_write)


@pytest.mark.parametrize("clash", [_clash_before_the_write, _clash_before_the_publish])
def test_a_name_taken_during_the_write_moves_the_report_to_the_next_stem(
    qapp, tmp_path, monkeypatch, clash
):
    clashes = []
    clash(monkeypatch, clashes, times=1)
    written = write_report(_content(), tmp_path)
    assert clashes == ["scan_report.json"]
    assert [p.name for p in written] == [f"scan_report_2{suffix}" for suffix in SUFFIXES]
    assert (tmp_path / "scan_report.json").read_bytes() == THEIRS  # left as it was
    # None of the first try's files nor any temporary file is left.
    assert sorted(os.listdir(tmp_path)) == sorted(["scan_report.json", *(p.name for p in written)])
    assert json.loads(written[1].read_bytes())["source"] == "scan.dcm"
    assert written[0].read_bytes().startswith(b"%PDF")


def test_a_report_gives_up_after_a_hundred_stems_taken(qapp, tmp_path, monkeypatch):
    clashes = []
    _clash_before_the_write(monkeypatch, clashes, times=1000)
    with pytest.raises(DestinationExistsError, match=r"scan_report_100\.json: file exists"):
        write_report(_content(), tmp_path)
    assert len(clashes) == 100
    assert sorted(os.listdir(tmp_path)) == sorted(clashes)  # only the other writer's files
