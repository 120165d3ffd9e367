"""A resume refused because the data folder changed exits with its own status (3)."""

import shutil

from core.training.__main__ import main
from core.training.control import DATA_CHANGED_STATUS


def test_a_resume_on_changed_data_exits_3_in_one_line(image_folder, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(image_folder, data)
    out = tmp_path / "m.safetensors"
    args = [str(data), "--output", str(out), "--device", "cpu", "--no-progress"]
    args += ["--steps", "4", "--batch-size", "2", "--patch-size", "16", "--val-every", "0"]
    assert main([*args, "--checkpoint-every", "2", "--steps", "2"]) == 0
    capsys.readouterr()
    shutil.copy(data / "png" / "im0.png", data / "new image.png")
    assert main([*args, "--resume"]) == DATA_CHANGED_STATUS == 3
    refusal = capsys.readouterr().err
    assert "cannot resume" in refusal and "1 added (new image.png)" in refusal
