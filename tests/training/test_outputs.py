import json
from dataclasses import replace

import pytest

from core.diffusion.model import load_model
from core.training.config import TrainConfig
from core.training.loop import train
from core.training.outputs import check_outputs


def _metric_steps(config):
    lines = config.metrics_path.read_text().splitlines()
    return [json.loads(ln)["step"] for ln in lines if "loss" in json.loads(ln)]


def test_a_fresh_run_never_replaces_a_model_unasked(tiny_config):
    first = replace(tiny_config, steps=2, val_every=0)
    train(first)
    first.checkpoint_path.unlink()  # as the checkpoint's own message advises
    weights = first.output.read_bytes()
    with pytest.raises(ValueError, match=r"model\.safetensors exists; .*\(--overwrite\)"):
        train(replace(first, steps=3))
    assert first.output.read_bytes() == weights
    first.output.unlink()  # the card alone is refused too
    with pytest.raises(ValueError, match="model.json exists"):
        check_outputs(first)


def test_overwrite_starts_afresh_with_new_metrics(tiny_config):
    first = replace(tiny_config, steps=2, val_every=0)
    train(first)
    with pytest.raises(ValueError, match="checkpoint.safetensors exists"):
        train(first)
    again = replace(first, steps=3, overwrite=True)
    train(again)
    assert load_model(again.output).card.training["steps_done"] == 3
    assert "overwrite" not in load_model(again.output).card.training["settings"]
    assert _metric_steps(again) == [1, 2, 3]  # not [1, 2, 1, 2, 3]


def test_outputs_that_cannot_be_written_are_refused_before_training(tiny_config, tmp_path):
    with pytest.raises(ValueError, match=r"output .*model\.png must be a \.safetensors file"):
        replace(tiny_config, output=tmp_path / "model.png")
    with pytest.raises(ValueError, match="must be a .safetensors file"):
        replace(tiny_config, output=tmp_path / "model")
    folder = tmp_path / "taken.safetensors"
    folder.mkdir()
    with pytest.raises(ValueError, match="taken.safetensors is a folder"):
        train(replace(tiny_config, output=folder))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(
        ValueError, match="file is a file, not a folder: .*file/m.safetensors cannot be written"
    ):
        check_outputs(replace(tiny_config, output=blocker / "m.safetensors"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "taken.safetensors"]
    assert TrainConfig(data=tmp_path, output=tmp_path / "M.SafeTensors").output.name


def test_device_names_are_checked(tiny_config):
    with pytest.raises(ValueError, match="device gpu: use auto, cpu, cuda, cuda:N or mps"):
        replace(tiny_config, device="gpu")
    assert replace(tiny_config, device="cuda:1").device == "cuda:1"
