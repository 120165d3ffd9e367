"""--resume --steps N keeps the warm-up and the rate reached; only the decay is re-spread."""

import json
import math
from dataclasses import replace

import pytest

from core.training.loop import train
from core.training.lr_schedule import StepPlan, learning_rate

pytestmark = pytest.mark.usefixtures("restore_logging")


def _rates(config) -> dict[int, float]:
    lines = config.metrics_path.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    return {r["step"]: r["lr"] for r in records if "lr" in r}


@pytest.mark.slow
def test_a_longer_or_shorter_horizon_goes_on_from_the_rate_reached(tiny_config, caplog):
    first = replace(tiny_config, steps=40, warmup_steps=4, val_every=0, checkpoint_every=100)
    train(first, callback=lambda state: state.step == 10)
    before = _rates(first)
    assert max(before) == 10
    resumed = replace(first, resume=True, steps=20)
    with caplog.at_level("WARNING"):
        train(resumed)
    after = _rates(resumed)
    # the rate of step 11 is the one the first horizon would have given: no jump
    assert after[11] == pytest.approx(learning_rate(10, first))
    assert "horizon changed from 40 to 20 steps" in caplog.text
    assert "warm-up 4 steps" in caplog.text and "shortened" not in caplog.text
    # the decay still nears the floor at the new horizon
    assert after[20] < 2 * first.lr * first.min_lr_fraction
    rates = [after[s] for s in range(11, 21)]
    assert rates == sorted(rates, reverse=True)
    card = json.loads(first.output.with_suffix(".json").read_text())
    assert card["training"]["settings"]["warmup_steps"] == 4


def test_a_horizon_within_the_warm_up_ends_it_at_the_rate_reached():
    plan = StepPlan(warmup=200, from_step=200)
    new = plan.rehorizoned(22, 2000, 60, 0.05)
    reached = 22 / 200
    height = 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * new.progress(22, 60)))
    assert height == pytest.approx(reached)
    assert new.progress(60, 60) == 1.0
    assert plan.rehorizoned(22, 2000, 4000, 0.05) == plan  # the warm-up ends in time: kept
