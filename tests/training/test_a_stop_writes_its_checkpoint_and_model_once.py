"""A run stopped off the validation grid writes its checkpoint once, before it validates.

Checkpoint and model come first, so that a run killed while it validates (a closing
wizard kills its run a minute after asking it to pause) can be resumed from its last step
and has its model; the model comes again after, so that its card holds the scores. The
checkpoint (weights, EMA and optimiser state: three times the model) is written once.
"""

from dataclasses import replace

import pytest
from safetensors.torch import load_file

import core.training.loop as loop
from core.diffusion.model import load_model
from core.training.checkpoint import read_checkpoint
from core.training.loop import train
from core.training.validation import Validator


@pytest.fixture
def events(monkeypatch):
    """The run's checkpoint writes, model writes and validations, in order, with their steps."""
    happened: list[tuple[str, int]] = []
    write_checkpoint, write_model = loop.save_checkpoint, loop.save_model
    validate = Validator.__call__

    def checkpoint(path, *, checkpoint, **kwargs):
        happened.append(("checkpoint", checkpoint.step))
        write_checkpoint(path, checkpoint=checkpoint, **kwargs)

    def model(network, path, *, training, **kwargs):
        happened.append(("model", training["steps_done"]))
        return write_model(network, path, training=training, **kwargs)

    def validation(self, network, step):
        happened.append(("validation", step))
        return validate(self, network, step)

    monkeypatch.setattr(loop, "save_checkpoint", checkpoint)
    monkeypatch.setattr(loop, "save_model", model)
    monkeypatch.setattr(Validator, "__call__", validation)
    return happened


def test_a_stop_request_writes_the_checkpoint_once_before_validating(tiny_config, events):
    config = replace(tiny_config, steps=6, val_every=3, checkpoint_every=3)
    train(config, callback=lambda state: state.step == 4)
    assert events == [
        ("validation", 3),
        ("checkpoint", 3),
        ("model", 3),
        ("checkpoint", 4),
        ("model", 4),
        ("validation", 4),
        ("model", 4),
    ]
    assert load_model(config.output).card.validation["step"] == 4  # the card has the scores
    stored = read_checkpoint(config.checkpoint_path)
    assert stored.step == 4 and stored.extra["validation"]["step"] == 3  # the last before


def test_the_end_of_a_time_budget_writes_the_checkpoint_once(tiny_config, events):
    config = replace(tiny_config, minutes=1e-9, steps=1000, val_every=2)
    train(config)
    assert events == [("checkpoint", 1), ("model", 1), ("validation", 1), ("model", 1)]
    # The model is the checkpoint's export: a resume finds nothing to do.
    with pytest.raises(ValueError, match="time budget of .* minutes is spent"):
        train(replace(config, resume=True, minutes=None))
    assert events[4:] == []


def test_a_run_resumed_after_a_stop_that_validated_goes_on_exactly(tiny_config, tmp_path):
    whole = replace(tiny_config, steps=6, val_every=3, checkpoint_every=3)
    train(whole)
    stopped = replace(whole, output=tmp_path / "stopped" / "m.safetensors")
    train(stopped, callback=lambda state: state.step == 4)
    train(replace(stopped, resume=True))
    a, b = load_file(whole.checkpoint_path), load_file(stopped.checkpoint_path)
    assert a.keys() == b.keys() and any(k.startswith("optimizer/") for k in a)
    for key in a:
        assert (a[key] == b[key]).all(), key
    assert load_model(stopped.output).card.validation == load_model(whole.output).card.validation
