"""Resuming a finished run trains nothing and writes nothing: the model keeps its SHA-256."""

import json
import logging
from dataclasses import replace

from core.diffusion.model import card_path
from core.resources import file_sha256
from core.training.checkpoint import read_checkpoint
from core.training.loop import train


def _files(config):
    return [config.output, card_path(config.output), config.checkpoint_path, config.metrics_path]


def _snapshot(config):
    """Each file's bytes, inode and modification time: a rewrite changes the inode."""
    return {
        path.name: (path.read_bytes(), path.stat().st_ino, path.stat().st_mtime_ns)
        for path in _files(config)
    }


def test_resuming_a_finished_run_leaves_every_file_as_it_is(tiny_config, caplog):
    train(tiny_config)
    before = _snapshot(tiny_config)
    sha = file_sha256(tiny_config.output)
    with caplog.at_level(logging.INFO, logger="core.training.loop"):
        assert train(replace(tiny_config, resume=True)) == tiny_config.output
    assert _snapshot(tiny_config) == before
    assert file_sha256(tiny_config.output) == sha
    said = [r.getMessage() for r in caplog.records if "is finished" in r.getMessage()]
    assert said == [
        f"{tiny_config.checkpoint_path} is finished (4 of 4 steps done): nothing to train, "
        f"{tiny_config.output} left as it is"
    ]
    assert not any("->" in r.getMessage() for r in caplog.records)  # no "4 -> 4 steps"


def test_a_finished_run_whose_model_is_gone_exports_it_again(tiny_config):
    train(tiny_config)
    tiny_config.output.unlink()
    train(replace(tiny_config, resume=True))
    card = json.loads(card_path(tiny_config.output).read_text(encoding="utf-8"))
    assert card["training"]["steps_done"] == 4
    assert card["weights_sha256"] == file_sha256(tiny_config.output)


def test_a_model_of_an_earlier_step_is_exported_again(tiny_config):
    # A run killed between writing its last checkpoint and its model.
    train(tiny_config)
    card_file = card_path(tiny_config.output)
    card = json.loads(card_file.read_text(encoding="utf-8"))
    card["training"]["steps_done"] = 2
    card_file.write_text(json.dumps(card), encoding="utf-8")
    train(replace(tiny_config, resume=True))
    assert json.loads(card_file.read_text(encoding="utf-8"))["training"]["steps_done"] == 4
    assert read_checkpoint(tiny_config.checkpoint_path).step == 4
