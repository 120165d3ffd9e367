"""A stop request writes the checkpoint and model before its minutes of validation."""

import logging
from dataclasses import replace

from core.training.loop import train


def test_a_stop_writes_the_checkpoint_before_the_validation_at_the_stop(tiny_config, caplog):
    config = replace(tiny_config, steps=6, val_every=3, checkpoint_every=3)
    with caplog.at_level(logging.INFO, logger="core.training"):
        train(config, callback=lambda state: state.step == 4)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("step 4")]
    saved = lines.index(f"step 4: checkpoint {config.checkpoint_path}, model {config.output}")
    validated = next(i for i, line in enumerate(lines) if line.startswith("step 4 validation"))
    assert saved < validated
    assert lines[-1] == f"step 4: model {config.output}"  # again, with the scores


def test_a_finished_run_validates_once_and_then_saves(tiny_config, caplog):
    config = replace(tiny_config, steps=5, val_every=3, checkpoint_every=3)
    with caplog.at_level(logging.INFO, logger="core.training"):
        train(config)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("step 5")]
    assert [line.split(" ")[2] for line in lines] == ["loss", "validation", "checkpoint"]
