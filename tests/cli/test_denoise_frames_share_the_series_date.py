"""The frames of a DICOM denoised with --frame all are one series, of one SeriesDate/Time."""

import pydicom

from core.cli import main


def test_frame_all_gives_one_series_date_and_time(tmp_path, three_frame_dicom, tiny_model):
    out = tmp_path / "out"
    args = ["denoise", str(three_frame_dicom), "--frame", "all", "--output-dir", str(out)]
    assert main([*args, "--model", str(tiny_model), "--device", "cpu", "--views", "1"]) == 0
    frames = [pydicom.dcmread(out / f"mf_frame{n:03d}.dcm") for n in (1, 2, 3)]
    assert len({ds.SeriesInstanceUID for ds in frames}) == 1
    assert len({(ds.SeriesDate, ds.SeriesTime) for ds in frames}) == 1
    assert len({ds.ContentTime for ds in frames}) == 3  # each frame written in its turn
