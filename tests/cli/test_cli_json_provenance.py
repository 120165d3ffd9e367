"""``metrics --json`` and ``denoise --json`` say what made them, when, from which files, and how."""

import hashlib
import json

import numpy as np
import pytest
from PIL import Image

from core.cli import main
from core.code_version import software_version


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def pair(tmp_path):
    rng = np.random.default_rng(2)
    picture = np.tile(np.linspace(20, 230, 64), (64, 1))
    noisy = (picture + rng.normal(0, 5, picture.shape)).clip(0, 255)
    paths = tmp_path / "ref.png", tmp_path / "test.png"
    Image.fromarray(picture.astype(np.uint8)).save(paths[0])
    Image.fromarray(noisy.astype(np.uint8)).save(paths[1])
    return paths


def _provenance_is_there(record):
    assert record["schema_version"] == 3  # 3: frames numbered from 1
    assert record["disclaimer"] == "Not for diagnostic use"
    assert record["software"] == {"name": "xray-denoise", "version": software_version()}
    assert record["created"].endswith("+00:00")


def test_metrics_json_has_provenance_and_the_files_hashes(pair, capsys):
    reference, test = pair
    assert main(["metrics", str(reference), str(test), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    _provenance_is_there(record)
    assert record["reference_sha256"] == _sha256(reference)
    assert record["test_sha256"] == _sha256(test)
    assert record["scale_warning"] is None
    assert record["reference"] == str(reference) and record["reference_frame"] == 1  # kept
    assert record["psnr_infinite"] is False and record["psnr"] > 0


def test_metrics_json_records_the_scale_warning(pair, tmp_path, capsys):
    reference, _ = pair
    sixteen = tmp_path / "sixteen.png"
    Image.fromarray(np.asarray(Image.open(reference)).astype(np.uint16) * 257).save(sixteen)
    assert main(["metrics", str(reference), str(sixteen), "--json"]) == 0
    captured = capsys.readouterr()
    warning = json.loads(captured.out)["scale_warning"]
    assert warning.startswith("its values are on another scale than the reference's")
    assert f"{sixteen}: warning: {warning}" in captured.err.splitlines()
    # Its values, up to 59110, also lie beyond the 8-bit reference's range: said too.
    beyond = json.loads(captured.out)["data_range_warning"]
    assert beyond.startswith("a compared image's values, 5140 to 59110, reach beyond")


def test_identical_images_are_flagged_and_printed_as_inf(pair, capsys):
    reference, _ = pair
    assert main(["metrics", str(reference), str(reference), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["psnr"] is None and record["psnr_infinite"] is True
    assert main(["metrics", str(reference), str(reference)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "MSE   0" and lines[1].startswith("PSNR  inf dB")
    assert lines[2] == "SSIM  1.0000"


@pytest.mark.parametrize("data_range", ["1e-300", "1e200"])
def test_a_data_range_out_of_reach_is_one_line_without_a_numpy_warning(pair, capsys, data_range):
    reference, test = pair
    assert main(["metrics", str(reference), str(test), f"--data-range={data_range}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out of reach" in err and "warning" not in err


def test_denoise_json_records_say_how_each_output_was_made(pair, tiny_model, tmp_path, capsys):
    _, noisy = pair
    options = ["--output-dir", str(tmp_path / "out"), "--model", str(tiny_model)]
    argv = ["denoise", str(noisy), *options, "--device", "cpu", "--views", "1", "--json"]
    assert main(argv) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    _provenance_is_there(record)
    assert record["input"] == str(noisy) and record["input_sha256"] == _sha256(noisy)
    assert record["status"] == "ok" and record["frame"] == 1  # the old keys are kept
    denoising = record["denoising"]
    assert denoising["model_sha256"] == _sha256(tiny_model)
    assert denoising["views"] == 1
    for key in ("model", "sampler", "steps", "seed", "strength", "description"):
        assert denoising[key] is not None, key
