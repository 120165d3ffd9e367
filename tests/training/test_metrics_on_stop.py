"""A stopped and resumed run writes the loss records of a run never stopped."""

import json
from dataclasses import replace

from core.training.checkpoint import read_checkpoint
from core.training.loop import train


def _records(config):
    return [json.loads(line) for line in config.metrics_path.read_text().splitlines()]


def test_a_stop_between_loss_records_keeps_them_on_the_grid_with_the_same_means(
    tiny_config, tmp_path
):
    whole = replace(tiny_config, steps=6, log_every=3, val_every=3, checkpoint_every=3)
    train(whole)
    stopped = replace(whole, output=tmp_path / "stopped" / "m.safetensors")
    train(stopped, callback=lambda state: state.step == 4)
    assert len(read_checkpoint(stopped.checkpoint_path).extra["interval_losses"]) == 1
    train(replace(stopped, resume=True))

    def losses(config):
        return [(r["step"], r["loss"]) for r in _records(config) if "loss" in r]

    assert losses(stopped) == losses(whole) and [s for s, _ in losses(whole)] == [3, 6]


def test_a_validation_made_at_a_stop_is_marked(tiny_config):
    config = replace(tiny_config, steps=6, log_every=3, val_every=3, checkpoint_every=3)
    train(config, callback=lambda state: state.step == 4)
    train(replace(config, resume=True))
    validations = [r for r in _records(config) if "validation" in r]
    assert [(r["step"], r.get("at_stop", False)) for r in validations] == [
        (3, False),
        (4, True),
        (6, False),
    ]
