"""The command line's smaller promises: messages that say why, files named, values labelled."""

import json
import math

import numpy as np
import pydicom
import pytest
from PIL import Image

from core.cli import main
from core.diffusion.unet import UNetConfig
from core.errors import error_line, is_bad_input
from core.io import write_new_dicom
from core.training.config import TrainConfig
from core.training.loop import train


def test_metrics_json_names_the_files_and_frames_it_compared(ct, tmp_path, capsys):
    other = tmp_path / "other.dcm"
    other.write_bytes(ct.read_bytes())
    assert main(["metrics", str(ct), str(other), "--json"]) == 0
    values = json.loads(capsys.readouterr().out)
    assert (values["reference"], values["test"]) == (str(ct), str(other))
    assert (values["reference_frame"], values["test_frame"]) == (1, 1)
    assert values["mse"] == 0.0


@pytest.mark.parametrize(
    ("region", "reason"),
    [
        ("0,0,10", "region '0,0,10' must be four integers ROW,COL,HEIGHT,WIDTH"),
        ("10,10,0,0", "region 10,10,0,0 is invalid: the corner must be >= 0 and the size"),
        ("-5,0,20,20", "region -5,0,20,20 is invalid: the corner must be >= 0 and the size"),
    ],
)
def test_a_bad_region_is_refused_with_its_reason(ct, region, reason, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["metrics", str(ct), str(ct), f"--region={region}"])
    assert stopped.value.code == 2
    assert f"argument --region: {reason}" in capsys.readouterr().err


@pytest.mark.parametrize("spacing", ["0", "-1", "nan", "inf"])
def test_phantom_refuses_a_spacing_that_is_not_positive(tmp_path, spacing, capsys):
    out = tmp_path / "p.dcm"
    with pytest.raises(SystemExit) as stopped:
        main(["phantom", str(out), "--size", "32", f"--spacing={spacing}"])
    assert stopped.value.code == 2
    assert f"expected a positive number of mm, got '{spacing}'" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("spacing", [0.0, -1.0, math.nan])
def test_a_new_dicom_is_never_written_with_a_spacing_that_is_not_positive(tmp_path, spacing):
    out = tmp_path / "p.dcm"
    with pytest.raises(ValueError, match="pixel spacing must be positive and finite"):
        write_new_dicom(
            np.zeros((16, 16), np.uint16),
            out,
            photometric="MONOCHROME2",
            bits_stored=12,
            pixel_spacing=(spacing, spacing),
            patient_name="X",
            patient_id="X",
            description="test",
            window=None,
        )
    assert not out.exists()


def test_a_phantom_too_large_to_read_back_is_bad_input(tmp_path, capsys):
    assert main(["phantom", str(tmp_path / "p.dcm"), "--size", "100000"]) == 2
    assert capsys.readouterr().err == (
        "xray-denoise: error: --size 100000: the phantom must be at most 16384 x 16384 "
        "pixels (the largest image xray-denoise reads)\n"
    )


def test_running_out_of_memory_is_bad_input_in_one_line():
    with pytest.raises(MemoryError) as caught:
        np.empty(1 << 62, dtype=np.uint8)  # more than any machine has
    assert is_bad_input(caught.value)
    line = error_line(caught.value)
    assert line.startswith("not enough memory: Unable to allocate") and "bug" not in line
    assert error_line(MemoryError()) == "not enough memory"


def test_info_says_which_values_are_rescaled(ct, capsys):
    assert main(["info", str(ct)]) == 0
    lines = capsys.readouterr().out.splitlines()
    intercept = float(pydicom.dcmread(ct).RescaleIntercept)
    values = next(line for line in lines if line.startswith("  values "))
    assert values.endswith(f"(rescaled: stored x 1 - {-intercept:g})")
    assert next(line for line in lines if "noise (est.)" in line).endswith(
        "(in the units of the values)"
    )
    assert main(["info", str(ct), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["rescale_slope"], summary["rescale_intercept"]) == (1.0, intercept)


@pytest.mark.parametrize("command", [[], ["denoise"], ["metrics"], ["phantom"]])
def test_help_lists_the_exit_statuses(command, capsys):
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for status in ("2 bad input", "130 Ctrl-C", "143 SIGTERM", "129 SIGHUP", "141"):
        assert status in text


def test_training_draws_no_progress_bar_into_a_redirected_stderr(tmp_path, capsys):
    rng = np.random.default_rng(0)
    folder = tmp_path / "films"
    folder.mkdir()
    for i in range(4):
        film = rng.normal(120, 10, (40, 40)).clip(0, 255).astype(np.uint8)
        Image.fromarray(film).save(folder / f"im{i}.png")
    config = TrainConfig(
        data=folder,
        output=tmp_path / "run" / "m.safetensors",
        device="cpu",
        steps=2,
        batch_size=2,
        patch_size=16,
        warmup_steps=0,
        val_fraction=0.0,
        val_every=0,
        checkpoint_every=2,
        progress=True,  # as `xray-denoise train` has it unless --no-progress
        architecture=UNetConfig.tiny(),
    )
    train(config)
    err = capsys.readouterr().err  # not a terminal, as 2>file is not
    assert "\r" not in err and "it/s" not in err
