"""A report whose name another writer takes during the write moves to the next free name."""

import json
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from core.io.atomic import DestinationExistsError
from xraygui import reports
from xraygui.reports import ReportContent, write_report

pytestmark = pytest.mark.gui

THEIRS = b"another writer's file"
SUFFIXES = (".pdf", ".json", ".csv")


def _content():
    return ReportContent(
        source="scan.dcm",
        image={
            "rows": 16,
            "columns": 16,
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
        thumbnails={"before": np.random.default_rng(0).random((16, 16))},
    )


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
