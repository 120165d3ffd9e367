"""The command line numbers frames from 1, as DICOM (ReferencedFrameNumber) and the GUI do.

``--frame 1`` is the first frame for every subcommand, ``--frame 0`` is refused, the
first frame's output is ``<stem>_frame001`` and its JSON record says ``"frame": 1``.
"""

import json

import numpy as np
import pydicom
import pytest

from core.cli import main
from core.io import read_image, write_image
from core.io.output_names import frame_stem

NUMBERED_FROM_1 = "frames are numbered from 1, as DICOM numbers them"
PAST_THE_LAST = "frame 4 out of range: the file has 3 frames, numbered from 1"


def _denoise_options(out, model):
    return ["--output-dir", str(out), "--model", str(model), "--device", "cpu", "--views", "1"]


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["info", "{input}"], "--frame"),
        (["metrics", "{input}", "{input}"], "--frame"),
        (["metrics", "{input}", "{input}"], "--test-frame"),
        (["simulate", "{input}", "--dose", "0.5", "--output", "{out}/low.dcm"], "--frame"),
        (["denoise", "{input}", "--output-dir", "{out}"], "--frame"),
    ],
    ids=["info", "metrics", "metrics-test-frame", "simulate", "denoise"],
)
def test_frame_0_is_refused_in_one_line_saying_frames_start_at_1(
    command, option, three_frame_dicom, tmp_path, capsys
):
    argv = [part.format(input=three_frame_dicom, out=tmp_path) for part in command]
    with pytest.raises(SystemExit) as stop:
        main([*argv, option, "0"])
    assert stop.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == (
        f"xray-denoise {command[0]}: error: argument {option}: {NUMBERED_FROM_1}; got '0'"
    )
    assert not (tmp_path / "low.dcm").exists()


def test_info_frame_1_is_the_first_frame_and_4_of_3_is_past_the_last(three_frame_dicom, capsys):
    for number in (1, 3):
        assert main(["info", str(three_frame_dicom), "--frame", str(number), "--json"]) == 0
        summary = json.loads(capsys.readouterr().out)
        pixels = read_image(three_frame_dicom, frame=number - 1).pixels
        assert (summary["value_min"], summary["value_max"]) == (pixels.min(), pixels.max())
    assert main(["info", str(three_frame_dicom), "--frame", "4"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"xray-denoise: error: {three_frame_dicom}: {PAST_THE_LAST}"
    )


def test_metrics_frame_1_is_the_first_frame_and_its_json_says_1(
    three_frame_dicom, tmp_path, capsys
):
    first = write_image(
        read_image(three_frame_dicom, frame=0), tmp_path / "first.dcm", description="frame 1"
    )
    argv = ["metrics", str(three_frame_dicom), str(first), "--json"]
    assert main([*argv, "--frame", "1"]) == 0
    out, err = capsys.readouterr()
    record = json.loads(out)
    assert record["mse"] == 0 and err == ""
    assert (record["reference_frame"], record["test_frame"]) == (1, 1)
    assert (
        main(
            [
                "metrics",
                str(three_frame_dicom),
                str(three_frame_dicom),
                "--json",
                "--frame",
                "1",
                "--test-frame",
                "3",
            ]
        )
        == 0
    )
    record = json.loads(capsys.readouterr().out)
    assert (record["reference_frame"], record["test_frame"]) == (1, 3) and record["mse"] > 0
    assert main([*argv, "--frame", "4"]) == 2
    assert PAST_THE_LAST in capsys.readouterr().err


def test_metrics_json_says_frame_1_of_a_single_frame_pair(tmp_path, capsys):
    film = np.tile(np.linspace(100, 3000, 64), (64, 1)).astype(np.uint16)
    path = tmp_path / "film.npy"
    np.save(path, film)
    assert main(["metrics", str(path), str(path), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["reference_frame"], record["test_frame"]) == (1, 1)


def test_metrics_warning_says_frame_1_of_3(three_frame_dicom, capsys):
    path = str(three_frame_dicom)
    assert main(["metrics", path, path, "--json"]) == 0
    assert capsys.readouterr().err.splitlines() == 2 * [
        f"xray-denoise: warning: {path} has 3 frames; frame 1 of 3 compared "
        "(choose with --frame N, from 1)"
    ]  # of the reference, then of the test


@pytest.mark.parametrize("number", [1, 3])
def test_simulate_frame_n_references_dicom_frame_n(number, three_frame_dicom, tmp_path, capsys):
    out = tmp_path / "low.dcm"
    argv = ["simulate", str(three_frame_dicom), "--dose", "0.5", "--photons", "2000"]
    assert main([*argv, "--frame", str(number), "--output", str(out)]) == 0
    assert "frames" not in capsys.readouterr().err
    (source,) = pydicom.dcmread(out).SourceImageSequence
    assert source.ReferencedFrameNumber == number
    assert main([*argv, "--frame", "4", "--output", str(tmp_path / "past.dcm")]) == 2
    assert PAST_THE_LAST in capsys.readouterr().err
    assert not (tmp_path / "past.dcm").exists()


def test_simulate_warning_says_frame_1_of_3(three_frame_dicom, tmp_path, capsys):
    argv = ["simulate", str(three_frame_dicom), "--dose", "0.5", "--photons", "2000"]
    assert main([*argv, "--output", str(tmp_path / "low.dcm")]) == 0
    assert f"{three_frame_dicom} has 3 frames; frame 1 of 3 simulated" in capsys.readouterr().err


def test_denoise_frame_1_is_the_first_frame_and_its_json_says_1(
    three_frame_dicom, tmp_path, tiny_model, capsys
):
    out = tmp_path / "out"
    argv = ["denoise", str(three_frame_dicom), *_denoise_options(out, tiny_model), "--json"]
    assert main([*argv, "--frame", "1"]) == 0
    captured = capsys.readouterr()
    (record,) = [json.loads(line) for line in captured.out.splitlines()]
    assert record["frame"] == 1 and record["output"] == str(out / "mf.dcm")
    assert "frames" not in captured.err
    (source,) = pydicom.dcmread(out / "mf.dcm").SourceImageSequence
    assert source.ReferencedFrameNumber == 1
    assert main([*argv, "--frame", "4"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["frame"] == 4
    assert f"{three_frame_dicom}: {PAST_THE_LAST}" in captured.err


def test_denoise_without_frame_warns_of_frame_1_of_3(
    three_frame_dicom, tmp_path, tiny_model, capsys
):
    options = _denoise_options(tmp_path / "out", tiny_model)
    assert main(["denoise", str(three_frame_dicom), *options]) == 0
    assert (
        f"{three_frame_dicom} has 3 frames; frame 1 of 3 denoised "
        "(choose with --frame N, from 1, or --frame all)"
    ) in capsys.readouterr().err


def test_denoise_every_frame_is_named_and_recorded_from_1(
    three_frame_dicom, tmp_path, tiny_model, capsys
):
    out = tmp_path / "out"
    argv = ["denoise", str(three_frame_dicom), *_denoise_options(out, tiny_model), "--json"]
    assert main([*argv, "--frame", "all"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    names = ["mf_frame001.dcm", "mf_frame002.dcm", "mf_frame003.dcm"]
    assert [(r["frame"], r["output"]) for r in records] == [
        (number, str(out / name)) for number, name in enumerate(names, start=1)
    ]
    assert sorted(p.name for p in out.iterdir()) == names
    referenced = [pydicom.dcmread(out / name).SourceImageSequence[0] for name in names]
    assert [item.ReferencedFrameNumber for item in referenced] == [1, 2, 3]


def test_a_frames_name_numbers_it_from_1(tmp_path):
    path = tmp_path / "a.tif"
    stems = {path: "a", tmp_path / "a_frame001.png": "a_frame001"}
    assert frame_stem({path: "a"}, path, 0) == "a_frame001"
    assert frame_stem({path: "a"}, path, 11) == "a_frame012"
    assert frame_stem(stems, path, 0) == "a_frame001_2"
