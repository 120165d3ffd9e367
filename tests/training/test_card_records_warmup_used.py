"""The model card records the warm-up a run used, and what its step count means."""

from dataclasses import replace

import pytest

from core.diffusion import load_model
from core.training.loop import train


@pytest.mark.slow
def test_a_shortened_warm_up_is_recorded_as_used(tiny_config):
    config = replace(tiny_config, steps=40, warmup_steps=500, val_every=0, checkpoint_every=40)
    train(config)
    settings = load_model(config.output).card.training["settings"]
    assert settings["warmup_steps"] == 4  # a tenth of the 40 steps, as the log says
    assert settings["warmup_steps_requested"] == 500
    assert "steps_meaning" not in settings  # no time budget: the steps are the run's


def test_a_time_budget_labels_the_steps_as_the_learning_rate_horizon(tiny_config):
    config = replace(tiny_config, steps=100_000, warmup_steps=2, val_every=0, minutes=0.001)
    train(config)
    settings = load_model(config.output).card.training["settings"]
    assert settings["steps"] == 100_000 and settings["warmup_steps"] == 2
    assert "warmup_steps_requested" not in settings
    assert settings["steps_meaning"].startswith("learning-rate horizon")
