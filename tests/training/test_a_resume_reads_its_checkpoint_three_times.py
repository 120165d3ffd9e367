"""A resume opens its checkpoint three times (settings, checks, tensors), not four, and goes
on with what it loaded: a checkpoint replaced between its checks and its load is refused."""

import math
from pathlib import Path

import pytest

from core.training import loop
from core.training.__main__ import main
from core.training.checkpoint import Checkpoint, read_checkpoint

pytestmark = pytest.mark.usefixtures("restore_logging")


def _args(image_folder, output, *extra):
    return [str(image_folder), "--output", str(output), "--device", "cpu", "--no-progress", *extra]


@pytest.fixture
def paused(image_folder, tmp_path):
    """A run of 2 steps with its checkpoint: the model and the checkpoint's path."""
    out = tmp_path / "m.safetensors"
    first = ["--steps", "2", "--batch-size", "2", "--patch-size", "16", "--val-every", "0"]
    assert main(_args(image_folder, out, *first, "--architecture", "tiny")) == 0
    return out, tmp_path / "m.checkpoint.safetensors"


def test_a_resume_opens_its_checkpoint_three_times(image_folder, paused, monkeypatch):
    out, checkpoint = paused
    opened = []
    real_open = Path.open

    def counting(self, *args, **kwargs):
        if Path(self) == checkpoint:
            opened.append(args[0] if args else kwargs.get("mode", "r"))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting)
    assert main(_args(image_folder, out, "--resume", "--steps", "3")) == 0
    # The settings (build_config), the checks (check_resume), the tensors (load_checkpoint).
    assert opened == ["rb", "rb", "rb"]
    assert read_checkpoint(checkpoint).step == 3


def test_a_checkpoint_replaced_after_its_checks_is_not_resumed(
    image_folder, paused, monkeypatch, capsys
):
    out, checkpoint = paused
    real_load = loop.load_checkpoint

    def replaced(path, **networks):
        info = real_load(path, **networks)
        return Checkpoint(info.step + 1, info.config, info.extra)  # another run's, say

    monkeypatch.setattr(loop, "load_checkpoint", replaced)
    assert main(_args(image_folder, out, "--resume", "--steps", "3")) == 2
    said = f"cannot resume {checkpoint}: it was replaced while the run started; resume again"
    assert said in capsys.readouterr().err
    assert read_checkpoint(checkpoint).step == 2  # nothing trained


def test_the_same_checkpoint_read_twice_is_the_same_with_a_nan_score():
    first = Checkpoint(2, {"seed": 1}, {"validation": {"psnr": math.nan}, "elapsed_s": 1.0})
    second = Checkpoint(2, {"seed": 1}, {"validation": {"psnr": float("nan")}, "elapsed_s": 1.0})
    assert loop._same_checkpoint(first, second)
    assert not loop._same_checkpoint(first, Checkpoint(3, first.config, first.extra))
