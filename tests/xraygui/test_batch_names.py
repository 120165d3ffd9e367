"""The batch: distinct output names, any file name, a table that never ends it, provenance."""

import csv
import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

from core.code_version import software_version
from core.errors import ImageWriteError
from xraygui import jobs
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job, output_stems

pytestmark = pytest.mark.gui

LATIN1_NAME = os.fsdecode(b"M\xfcller.dcm")  # a Latin-1 name, as Linux hands it over


@pytest.fixture
def run_batch(tmp_path, tiny_model_path, drain):
    """Run a batch of `names` (copies of a small DICOM) in ``in``; return its summary and rows."""

    def run(names, image):
        source, target = tmp_path / "in", tmp_path / "out"
        source.mkdir()
        for name in names:
            (source / name).write_bytes(image.read_bytes())
        options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
        summary = drain(batch_job(source, target, options))
        table = target / "batch_metrics.csv"
        rows = []
        if table.exists():
            with open(table, encoding="utf-8-sig", newline="") as f:
                rows = list(csv.DictReader(f))
        return summary, {Path(row["source"]).name: row for row in rows}

    return run


def test_inputs_of_one_folder_that_share_a_stem_keep_their_extension():
    files = [
        Path(name)
        for name in ("a.jpg", "a.png", "b.tif", "b.tiff", "c", "c.dcm", "d.dcm", "sub/a.dcm")
    ]
    expected = {
        "a.jpg": "a_jpg",
        "a.png": "a_png",
        "b.tif": "b_tif",
        "b.tiff": "b_tiff",
        "c": "c",
        "c.dcm": "c_dcm",
        "d.dcm": "d",
        "sub/a.dcm": "a",  # another folder: no clash
    }
    assert {str(p): stem for p, stem in output_stems(files).items()} == expected
    assert output_stems(files[::-1]) == output_stems(files)  # stable, whatever the order


def test_a_stem_shared_but_for_case_counts_as_shared():
    stems = output_stems([Path("X.png"), Path("x.jpg")])
    assert stems == {Path("X.png"): "X_png", Path("x.jpg"): "x_jpg"}


def test_a_batch_writes_every_input_whose_output_names_would_clash(run_batch, small_dicom):
    summary, rows = run_batch(["c", "c.dcm", "d.dcm"], small_dicom)
    assert summary.startswith("Batch: 3 of 3 file(s) written")
    outputs = {name: Path(row["output"]).name for name, row in rows.items()}
    assert outputs == {
        "c": "c_denoised.dcm",
        "c.dcm": "c_dcm_denoised.dcm",
        "d.dcm": "d_denoised.dcm",
    }


def test_a_name_the_suffix_rule_clashes_with_is_numbered(run_batch, small_dicom):
    # "x.dcm" becomes x_dcm (it shares "x" with "x"), which "x_dcm.dcm" has too.
    summary, rows = run_batch(["x", "x.dcm", "x_dcm.dcm"], small_dicom)
    assert summary.startswith("Batch: 3 of 3 file(s) written")
    outputs = {name: Path(row["output"]).name for name, row in rows.items()}
    assert outputs == {
        "x": "x_denoised.dcm",
        "x.dcm": "x_dcm_denoised.dcm",
        "x_dcm.dcm": "x_dcm_2_denoised.dcm",
    }


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes")
def test_a_name_that_is_not_utf8_does_not_stop_the_batch(run_batch, small_dicom, tmp_path):
    summary, rows = run_batch(["a_first.dcm", LATIN1_NAME, "z_last.dcm"], small_dicom)
    assert summary.startswith("Batch: 3 of 3 file(s) written")
    assert not any(row["error"] for row in rows.values())
    assert (tmp_path / "out" / os.fsdecode(b"M\xfcller_denoised.dcm")).is_file()
    assert r"M\xfcller.dcm" in rows  # the table holds the name, its odd byte escaped


def test_a_table_that_cannot_be_written_does_not_stop_the_batch(
    run_batch, small_dicom, tmp_path, monkeypatch
):
    def full_disk(rows, path):
        raise ImageWriteError(path, "No space left on device")

    monkeypatch.setattr(jobs, "write_batch_csv", full_disk)
    summary, _ = run_batch(["a.dcm", "b.dcm"], small_dicom)
    table = tmp_path / "out" / "batch_metrics.csv"
    assert summary == (
        "Batch: 2 of 2 file(s) written, 0 not (its error column says why); "
        f"table not written: {table}: No space left on device"
    )
    assert (tmp_path / "out" / "a_denoised.dcm").is_file()
    assert (tmp_path / "out" / "b_denoised.dcm").is_file()


def test_the_table_says_what_made_each_row_and_when(run_batch, small_dicom):
    _, rows = run_batch(["a.dcm", "broken.dcm"], small_dicom)
    for row in rows.values():
        assert row["software"] == f"xray-denoise {software_version()}"
        assert datetime.fromisoformat(row["created"]).utcoffset() is not None
