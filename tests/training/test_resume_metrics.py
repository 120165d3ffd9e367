import json
from dataclasses import replace

import pytest

from core.training.checkpoint import read_checkpoint
from core.training.loop import train


class Killed(Exception):
    """Stands for a Cancel: the process ends at once, without a checkpoint."""


def _kill_at(step):
    def callback(state):
        if state.step == step:
            raise Killed

    return callback


def _records(config):
    records = []
    for line in config.metrics_path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def test_a_resumed_run_rewrites_the_metrics_after_its_checkpoint(tiny_config):
    config = replace(tiny_config, steps=6, val_every=2, checkpoint_every=2, log_every=1)
    with pytest.raises(Killed):
        train(config, callback=_kill_at(3))
    assert read_checkpoint(config.checkpoint_path).step == 2
    assert [r["step"] for r in _records(config)] == [1, 2, 2, 3]  # loss, loss, validation
    with config.metrics_path.open("a") as f:
        f.write('{"step": 4, "lo')  # torn by the kill
    with pytest.raises(Killed):
        train(replace(config, resume=True), callback=_kill_at(5))
    assert read_checkpoint(config.checkpoint_path).step == 4
    train(replace(config, resume=True))
    lines = config.metrics_path.read_text().splitlines()
    assert all(line.endswith("}") for line in lines)  # the torn line is gone
    records = _records(config)
    assert [r["step"] for r in records if "loss" in r] == [1, 2, 3, 4, 5, 6]
    assert [r["step"] for r in records if "validation" in r] == [2, 4, 6]
