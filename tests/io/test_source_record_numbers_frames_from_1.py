"""A PNG's or TIFF's source record numbers the frame from 1; older records' index still reads."""

import numpy as np
import tifffile

from core.io.source_record import made_from, source_record

SHA = "ab" * 32


def _tiff_described(path, description):
    tifffile.imwrite(path, np.zeros((8, 8), np.uint16), description=description)
    return path


def test_the_record_counts_the_frame_from_1():
    assert source_record(SHA, 0) == f"source sha256 {SHA}, frame number 1"
    assert source_record(SHA, 2).endswith("frame number 3")


def test_a_record_made_now_and_one_made_before_both_name_their_frame(tmp_path):
    source = tmp_path / "in.tif"
    now = _tiff_described(tmp_path / "now.tif", f"denoised ...; {source_record(SHA, 1)}. Not ...")
    old_record = f"source sha256 {SHA}, frame 1"  # as written before 2026-11-27: an index
    before = _tiff_described(tmp_path / "before.tif", f"denoised ...; {old_record}.")
    for output in (now, before):  # both made from the second frame (index 1)
        assert made_from(output, source, 1, lambda: SHA) == ""
        assert "made from frame 2 of this input, not frame 1" in made_from(
            output, source, 0, lambda: SHA
        )
