"""metrics and simulate on multi-frame files: the frame compared is chosen, or warned of.

``--frame N`` numbers frames from 1, as DICOM does; read_image's ``frame`` is an index from 0.
"""

import json

from core.cli import main
from core.io import read_image, write_image


def _frame_file(three_frame_dicom, tmp_path, frame):
    image = read_image(three_frame_dicom, frame=frame)
    return write_image(image, tmp_path / f"frame{frame}.dcm", description="copy of one frame")


def test_metrics_compare_the_frame_asked_for(three_frame_dicom, tmp_path, capsys):
    single = _frame_file(three_frame_dicom, tmp_path, 2)
    assert main(["metrics", str(three_frame_dicom), str(single), "--frame", "3", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["mse"] == 0 and err == ""


def test_metrics_of_frame_1_by_default_warn_of_the_other_frames(
    three_frame_dicom, tmp_path, capsys
):
    single = _frame_file(three_frame_dicom, tmp_path, 2)
    assert main(["metrics", str(three_frame_dicom), str(single), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["mse"] > 0
    assert err.strip() == (
        f"xray-denoise: warning: {three_frame_dicom} has 3 frames; frame 1 of 3 compared "
        "(choose with --frame N, from 1)"
    )


def test_metrics_take_another_frame_of_a_multi_frame_test(three_frame_dicom, capsys):
    path = str(three_frame_dicom)
    assert main(["metrics", path, path, "--frame", "2", "--test-frame", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mse"] == 0
    assert main(["metrics", path, path, "--frame", "2", "--test-frame", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mse"] > 0


def test_simulate_warns_which_frame_it_takes(three_frame_dicom, tmp_path, capsys):
    out = tmp_path / "low.dcm"
    args = ["simulate", str(three_frame_dicom), "--dose", "0.5", "--photons", "2000"]
    assert main([*args, "--output", str(out)]) == 0
    assert f"{three_frame_dicom} has 3 frames; frame 1 of 3 simulated" in capsys.readouterr().err
    assert main([*args, "--frame", "2", "--output", str(tmp_path / "low2.dcm")]) == 0
    assert "frames" not in capsys.readouterr().err
