"""``--resume`` of a finished run exports its model again where the model is not its export.

docs/training.md and the message of a model whose weights do not match its card
(core.diffusion.model.MISMATCH) say that ``xray-denoise train DATA --output MODEL --resume``
exports the model again. Before, a run limited by ``--minutes`` refused ("its time budget
... is spent; give --minutes M") and a run limited by ``--steps`` whose card was intact
left the damaged weights "as it is": the model stayed refused. Now a finished run (steps
done, or time spent) whose model is missing or unlike its card is exported again from its
checkpoint's EMA weights, without training; one whose model matches is left as it is.
"""

import json
import logging
import os
from dataclasses import replace

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

import core.diffusion.model as model_module
from core.diffusion.model import card_path, load_model
from core.errors import ModelFileError
from core.resources import file_sha256
from core.training.__main__ import main
from core.training.checkpoint import read_checkpoint
from core.training.loop import train

pytestmark = pytest.mark.usefixtures("restore_logging")


def _by_time(config):
    """A run that its time budget stops after its first step."""
    return replace(config, minutes=1e-9, steps=1000, val_every=0)


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def _assert_is_the_checkpoint_s_export(config, sha=None):
    model = load_model(config.output)  # refused where weights and card disagree
    ema = {
        name.removeprefix("ema/"): value
        for name, value in load_file(config.checkpoint_path).items()
        if name.startswith("ema/")
    }
    weights = model.network.state_dict()
    assert weights.keys() == ema.keys()
    assert all(torch.equal(weights[name], ema[name]) for name in ema)
    card = json.loads(card_path(config.output).read_text(encoding="utf-8"))
    assert card["training"]["steps_done"] == read_checkpoint(config.checkpoint_path).step
    if sha is not None:
        assert file_sha256(config.output) == sha  # the same export, bit for bit
    assert not list(config.output.parent.glob(".~*"))  # no temporary file left


def _exported_again(caplog):
    return [r.getMessage() for r in caplog.records if "exported again" in r.getMessage()]


@pytest.mark.parametrize("limit", ["steps", "minutes"])
def test_damaged_weights_of_a_finished_run_are_exported_again(tiny_config, caplog, limit):
    config = tiny_config if limit == "steps" else _by_time(tiny_config)
    train(config)
    sha = file_sha256(config.output)
    metrics = config.metrics_path.read_bytes()
    _flip_a_byte(config.output)
    with caplog.at_level(logging.INFO, logger="core.training.loop"):
        train(replace(config, resume=True, minutes=None))
    _assert_is_the_checkpoint_s_export(config, sha)
    step = read_checkpoint(config.checkpoint_path).step
    assert step == (4 if limit == "steps" else 1)  # nothing trained
    assert config.metrics_path.read_bytes() == metrics
    (said,) = _exported_again(caplog)
    assert f"{config.output} does not match its model card" in said


@pytest.mark.parametrize("limit", ["steps", "minutes"])
def test_a_finished_run_whose_model_is_gone_exports_it_again(tiny_config, caplog, limit):
    config = tiny_config if limit == "steps" else _by_time(tiny_config)
    train(config)
    sha = file_sha256(config.output)
    config.output.unlink()
    with caplog.at_level(logging.INFO, logger="core.training.loop"):
        train(replace(config, resume=True, minutes=None))
    _assert_is_the_checkpoint_s_export(config, sha)
    assert f"{config.output} is missing" in _exported_again(caplog)[0]


@pytest.mark.parametrize("limit", ["steps", "minutes"])
def test_a_run_killed_between_the_two_renames_of_its_last_export_is_exported_again(
    tiny_config, monkeypatch, limit
):
    config = tiny_config if limit == "steps" else _by_time(tiny_config)
    replaced = os.replace

    def killed_at_the_weights(source, target):
        if str(target) == str(config.output) and read_checkpoint(config.checkpoint_path).step == (
            4 if limit == "steps" else 1
        ):
            raise KeyboardInterrupt  # the process dies after the card's rename
        replaced(source, target)

    monkeypatch.setattr(model_module.os, "replace", killed_at_the_weights)
    with pytest.raises(KeyboardInterrupt):
        train(config)
    monkeypatch.setattr(model_module.os, "replace", replaced)
    with pytest.raises(ModelFileError, match="do not match|missing file"):
        load_model(config.output)  # the state the message's advice is for
    train(replace(config, resume=True, minutes=None))
    _assert_is_the_checkpoint_s_export(config)


def test_a_time_limited_run_is_exported_again_from_the_command_line(image_folder, tmp_path, capsys):
    out = tmp_path / "run" / "model.safetensors"
    args = [str(image_folder), "--output", str(out), "--architecture", "tiny"]
    args += ["--batch-size", "2", "--patch-size", "16", "--val-every", "0", "--device", "cpu"]
    args += ["--no-progress"]
    assert main([*args, "--minutes", "1e-9"]) == 0
    _flip_a_byte(out)
    capsys.readouterr()
    assert main([*args, "--resume"]) == 0
    assert "exported again from the checkpoint's EMA weights" in capsys.readouterr().err
    load_model(out)


def test_a_finished_run_whose_model_matches_is_left_as_it_is(tiny_config):
    train(tiny_config)
    before = {p: p.stat().st_mtime_ns for p in (tiny_config.output, card_path(tiny_config.output))}
    train(replace(tiny_config, resume=True))
    assert {p: p.stat().st_mtime_ns for p in before} == before


def _as_before_cards_were_kept(path):
    """Drop the card sections from a checkpoint, as checkpoints of earlier versions lack them."""
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
    tensors = load_file(path)
    extra = json.loads(metadata["extra"])
    del extra["card"]
    save_file(tensors, path, metadata=metadata | {"extra": json.dumps(extra)})


@pytest.mark.parametrize("limit", ["steps", "minutes"])
def test_a_checkpoint_without_the_card_exports_again_once_the_data_are_read(
    tiny_config, caplog, limit
):
    config = tiny_config if limit == "steps" else _by_time(tiny_config)
    train(config)
    step = read_checkpoint(config.checkpoint_path).step
    _as_before_cards_were_kept(config.checkpoint_path)
    _flip_a_byte(config.output)
    with caplog.at_level(logging.INFO, logger="core.training.loop"):
        train(replace(config, resume=True, minutes=None))
    assert read_checkpoint(config.checkpoint_path).step == step  # no step trained
    _assert_is_the_checkpoint_s_export(config)
    assert "once the data are read" in _exported_again(caplog)[0]
