"""Outputs named by the version that numbered frames from 0 are told apart on --skip-existing.

Before 2026-11-27 ``--frame all`` named the first frame ``<stem>_frame000``; now
``<stem>_frame001``. Resuming such a batch finds ``_frame001`` made from the second frame:
an error, as before, that now says why.
"""

import shutil

import numpy as np
import tifffile

from core.cli import main
from core.io.source_record import source_record
from core.resources import file_sha256


def _denoise(model, out, *arguments):
    options = ["--output-dir", str(out), "--model", str(model), "--device", "cpu", "--views", "1"]
    return main(["denoise", *map(str, arguments), *options, "--threads", "1"])


def test_an_output_named_from_0_is_said_to_be_an_earlier_versions(tiny_model, tmp_path, capsys):
    rng = np.random.default_rng(5)
    pages = tmp_path / "in" / "multi.tif"
    pages.parent.mkdir()
    tifffile.imwrite(pages, rng.normal(30000, 800, (2, 64, 64)).astype(np.uint16))
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, pages, "--frame", "2") == 0  # index 1, as then named:
    shutil.move(out / "multi.tif", out / "multi_frame001.tif")
    assert source_record(file_sha256(pages), 1) in (
        tifffile.TiffFile(out / "multi_frame001.tif").pages[0].description
    )
    capsys.readouterr()
    assert _denoise(tiny_model, out, pages, "--frame", "all", "--skip-existing") == 2
    err = capsys.readouterr().err
    assert "exists, made from frame 2 of this input, not frame 1 (xray-denoise before " in err
    assert "named frame outputs from 0: <stem>_frame000 for the first)" in err


def test_another_frames_output_under_a_plain_name_gets_no_such_note(tiny_model, tmp_path, capsys):
    rng = np.random.default_rng(6)
    pages = tmp_path / "in" / "multi.tif"
    pages.parent.mkdir()
    tifffile.imwrite(pages, rng.normal(30000, 800, (2, 64, 64)).astype(np.uint16))
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, pages, "--frame", "2") == 0
    capsys.readouterr()
    assert _denoise(tiny_model, out, pages, "--frame", "1", "--skip-existing") == 2
    err = capsys.readouterr().err
    assert "exists, made from frame 2 of this input, not frame 1" in err
    assert "before 2026-11-27" not in err
