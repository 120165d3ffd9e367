"""A refused training run writes nothing (no lock, no log, no folder) and says why in one line."""

import numpy as np
import pytest
from PIL import Image

from core.cli import main as cli_main
from core.training.__main__ import main

pytestmark = pytest.mark.usefixtures("restore_logging")


def _refusal(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_a_device_the_machine_lacks_is_refused_before_the_lock_and_the_log(
    image_folder, tmp_path, capsys
):
    out = tmp_path / "new" / "m.safetensors"
    args = [str(image_folder), "--output", str(out), "--architecture", "tiny", "--steps", "1"]
    assert main([*args, "--device", "cuda:99"]) == 2
    assert _refusal(capsys).startswith("python -m core.training: error: device 'cuda:99'")
    assert not (tmp_path / "new").exists()


def test_a_folder_without_images_is_refused_before_the_lock_and_the_log(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "new" / "m.safetensors"
    args = ["train", str(empty), "--output", str(out), "--architecture", "tiny", "--device", "cpu"]
    assert cli_main(args) == 2
    assert (
        _refusal(capsys) == f"xray-denoise: error: no PNG, TIFF, JPEG or DICOM images under {empty}"
    )
    assert not (tmp_path / "new").exists()


def test_what_the_folder_scan_warned_of_reaches_the_console_and_log_of_a_run(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (40, 40), dtype=np.uint8)).save(data / f"{i}.png")
    (data / "notes.txt").write_text("not an image")
    out = tmp_path / "run" / "m.safetensors"
    args = [str(data), "--output", str(out), "--architecture", "tiny", "--steps", "1"]
    args += ["--batch-size", "2", "--patch-size", "16", "--device", "cpu", "--no-progress"]
    assert main(args) == 0
    log = out.with_suffix(".log").read_text()
    assert "not taken as images" in log and "notes.txt" in log
    assert log.index("not taken as images") < log.index("training ")
    assert "notes.txt" in capsys.readouterr().err
