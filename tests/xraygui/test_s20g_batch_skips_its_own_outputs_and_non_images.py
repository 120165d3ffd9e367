"""A batch leaves out this program's earlier outputs kept among its inputs, and non-images.

Each is listed in the table as skipped, and counted as neither written nor failed. The
summary says how many frames of multi-frame files were left out.
"""

import csv
import shutil

import numpy as np
import pytest
from PIL import Image

from core.cli import main as cli_main
from core.io.source_record import denoised_by_this_program
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job


def _rows(table):
    with open(table, encoding="utf-8-sig", newline="") as file:
        return {row["source"]: row for row in csv.DictReader(file)}


@pytest.fixture
def options(tiny_model_path):
    return DenoiseOptions(model=tiny_model_path, views=1, n_steps=1, device="cpu")


@pytest.fixture
def source(tmp_path, small_dicom):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(small_dicom, folder / "a.dcm")
    pixels = np.random.default_rng(0).integers(1000, 3000, (64, 64)).astype(np.uint16)
    Image.fromarray(pixels).save(folder / "p.png")
    return folder


def test_a_second_batch_skips_the_first_ones_outputs_kept_among_its_inputs(source, options, drain):
    first = drain(batch_job(source, source / "out", options))
    assert first.startswith("Batch: 2 of 2 file(s) written, 0 not")
    outputs = sorted((source / "out").glob("*_denoised.*"))
    assert [path.name for path in outputs] == ["a_denoised.dcm", "p_denoised.png"]
    assert all(denoised_by_this_program(path) for path in outputs)
    summary = drain(batch_job(source, source / "out2", options))
    assert summary.startswith(
        "Batch: 2 of 2 file(s) written, 0 not (its error column says why); "
        "2 skipped (2 output(s) of xray-denoise); table in "
    )
    rows = _rows(source / "out2" / "batch_metrics.csv")
    for path in outputs:
        assert rows[str(path)]["error"] == "skipped: an output of xray-denoise"
        assert rows[str(path)]["output"] == ""
    assert not list((source / "out2" / "out").glob("*"))  # nothing denoised twice


def test_a_file_that_is_not_an_image_is_skipped_not_failed(source, options, drain, tmp_path):
    (source / "README").write_text("hello")
    (source / "LICENSE").write_text("MIT")
    (source / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")  # an image that fails
    summary = drain(batch_job(source, tmp_path / "out", options))
    assert summary.startswith(
        "Batch: 2 of 3 file(s) written, 1 not (its error column says why); "
        "2 skipped (2 not image(s)); table in "
    )
    rows = _rows(tmp_path / "out" / "batch_metrics.csv")
    for name in ("README", "LICENSE"):
        assert rows[str(source / name)]["error"].startswith("skipped: not an image: ")
    assert not rows[str(source / "bad.png")]["error"].startswith("skipped")


def test_a_folder_of_skipped_files_only_says_there_is_no_image(tmp_path, options, drain):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "README").write_text("hello")
    summary = drain(batch_job(tmp_path / "in", tmp_path / "out", options))
    table = tmp_path / "out" / "batch_metrics.csv"
    assert summary == (
        f"Batch: no image file under {tmp_path / 'in'}; 1 skipped (1 not image(s)); "
        f"table in {table}"
    )


def test_a_simulated_lower_dose_and_a_scanners_image_are_denoised(
    tmp_path, small_dicom, options, drain
):
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(small_dicom, source / "full.dcm")
    simulated = tmp_path / "low.dcm"
    # 96 px: too small to tell from its noise whether it has any, so its quanta are given
    given = ["--dose", "0.25", "--photons", "2000", "--output", str(simulated)]
    assert cli_main(["simulate", str(small_dicom), *given]) == 0
    shutil.copy(simulated, source / "low.dcm")
    assert not denoised_by_this_program(source / "low.dcm") and not denoised_by_this_program(
        source / "full.dcm"
    )
    summary = drain(batch_job(source, tmp_path / "out", options))
    assert summary.startswith("Batch: 2 of 2 file(s) written, 0 not (its error column says why);")


def test_the_summary_names_the_frames_left_out(tmp_path, three_frame_dicom, options, drain):
    source = tmp_path / "films"
    source.mkdir()
    shutil.copy(three_frame_dicom, source / "film.dcm")
    summary = drain(batch_job(source, tmp_path / "out", options))
    assert (
        "; of 1 multi-frame file(s) only the first frame was denoised, 2 frame(s) left out "
        "(its frame column says of how many); table in " in summary
    )
    [row] = _rows(tmp_path / "out" / "batch_metrics.csv").values()
    assert row["frame"] == "1 of 3"
