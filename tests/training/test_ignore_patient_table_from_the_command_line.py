"""``--ignore-patient-table`` reaches the run: a bad data.csv refuses, the option trains."""

import shutil

import pytest

from core.training.__main__ import main

pytestmark = pytest.mark.usefixtures("restore_logging")


def test_the_option_lets_a_run_split_without_a_bad_table(image_folder, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(image_folder, folder)
    (folder / "data.csv").write_text("patient,image\nA,im0\n")  # no usable columns
    out = tmp_path / "m.safetensors"
    args = [str(folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    args += ["--architecture", "tiny", "--steps", "1", "--batch-size", "2", "--patch-size", "16"]
    args += ["--val-every", "0"]
    assert main(args) == 2
    assert not out.exists()
    assert main([*args, "--ignore-patient-table"]) == 0
    assert out.exists()
