"""A device the machine lacks and a diverging run are the user's problem: one line, exit 2."""

import re
from dataclasses import replace

import pytest
import torch

import core.device
import core.training.loop
from core.training.__main__ import main
from core.training.distributed import resolve_device
from core.training.loop import train

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(core.device, "_mps_available", lambda: False)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("cuda", "device 'cuda' is not available: no CUDA GPU or no CUDA build of PyTorch"),
        ("cuda:0", "device 'cuda:0' is not available: no CUDA GPU or no CUDA build of PyTorch"),
        ("mps", "device 'mps' is not available (needs Apple silicon)"),
    ],
)
def test_a_device_the_machine_lacks_is_refused_as_denoise_refuses_it(no_gpu, name, reason):
    with pytest.raises(ValueError, match=re.escape(reason)) as caught:
        resolve_device(name)
    with pytest.raises(ValueError) as by_denoise:
        core.device.select_device(name)
    assert str(caught.value) == str(by_denoise.value)


def test_auto_falls_back_to_the_cpu(no_gpu):
    assert resolve_device("auto") == torch.device("cpu")


def test_a_bare_cuda_is_this_processs_gpu_under_torchrun(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("cuda", local_rank=1) == torch.device("cuda", 1)
    assert resolve_device("auto", local_rank=1) == torch.device("cuda", 1)
    assert resolve_device("cuda:0", local_rank=1) == torch.device("cuda", 0)
    with pytest.raises(ValueError, match="this machine has 2 CUDA GPU"):
        resolve_device("cuda:2")


def test_the_cli_refuses_a_missing_gpu_before_reading_any_image(
    no_gpu, image_folder, tmp_path, monkeypatch, capsys
):
    def read_nothing(*_args, **_kwargs):
        raise AssertionError("images read before the device was checked")

    monkeypatch.setattr(core.training.loop, "load_images", read_nothing)
    out = tmp_path / "m.safetensors"
    assert main([str(image_folder), "--output", str(out), "--device", "cuda:0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m core.training: error: device 'cuda:0' is not available")
    assert "a bug" not in err and not out.with_suffix(".log").exists()


def test_a_diverging_loss_names_the_step_and_the_learning_rate(tiny_config):
    with pytest.raises(ValueError, match=r"^training diverged at step \d+ \(loss (nan|inf)\)") as e:
        train(replace(tiny_config, lr=1e30, steps=20, val_every=0))
    assert str(e.value).endswith(": lower --lr; no checkpoint was written")
    checkpointed = replace(tiny_config, lr=1e30, steps=20, val_every=0, checkpoint_every=1)
    with pytest.raises(ValueError, match=r"lower --lr; the checkpoint of step \d+ is kept$"):
        train(checkpointed)


def test_the_cli_exits_2_when_training_diverges(image_folder, tmp_path):
    out = tmp_path / "m.safetensors"
    tiny = ["--architecture", "tiny", "--steps", "20", "--batch-size", "2", "--patch-size", "16"]
    args = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress", *tiny]
    assert main([*args, "--val-every", "0", "--lr", "1e30"]) == 2
    log = out.with_suffix(".log").read_text(encoding="utf-8")
    assert "training diverged at step" in log and "lower --lr" in log and "a bug" not in log
