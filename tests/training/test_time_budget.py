"""The time budget is the run's, kept by its checkpoint: a resume keeps the learning rate."""

import json
from dataclasses import replace

import pytest

from core.diffusion.model import card_path
from core.training import loop
from core.training.checkpoint import Checkpoint, read_checkpoint
from core.training.config import TimeBudget
from core.training.loop import _time_budget, train
from core.training.lr_schedule import learning_rate


class FakeClock:
    """``time.monotonic`` that moves a tenth of a second per reading: run time, no waiting."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        self.now += 0.1
        return self.now


def _rates(config):
    lines = config.metrics_path.read_text().splitlines()
    return [(r["step"], r["lr"]) for r in map(json.loads, lines) if "lr" in r]


def test_a_resume_without_minutes_keeps_the_budget_and_the_learning_rate(tiny_config, monkeypatch):
    monkeypatch.setattr(loop, "time", FakeClock())
    config = replace(
        tiny_config, steps=10_000, warmup_steps=500, val_every=0, minutes=1.0, log_every=1
    )
    train(config, callback=lambda state: state.step == 4)
    stored = read_checkpoint(config.checkpoint_path)
    assert stored.extra["time_budget"] == {"total_s": 60.0, "from_s": 0.0, "from_fraction": 0.0}
    (_, previous), (_, before) = _rates(config)[-2:]
    train(replace(config, resume=True, minutes=None), callback=lambda state: state.step == 5)
    ((step, after),) = _rates(config)[4:]
    # Still warming up within the budget's first tenth, by about as much as each step did
    # (by steps, the rate would fall back to 6/500 of its peak).
    assert step == 5 and before < after < before + 2 * (before - previous)
    card = json.loads(card_path(config.output).read_text())
    assert card["training"]["settings"]["time_budget_s"] == 60.0
    assert "minutes" not in card["training"]["settings"]


def test_a_spent_budget_needs_more_minutes_to_resume(tiny_config):
    config = replace(tiny_config, minutes=1e-9, steps=1000, val_every=0)
    train(config)
    assert read_checkpoint(config.checkpoint_path).step == 1
    with pytest.raises(ValueError, match="time budget of .* minutes is spent; give --minutes M"):
        train(replace(config, resume=True, minutes=None))
    train(replace(config, resume=True, minutes=1e-9))  # a moment more: one more step
    stored = read_checkpoint(config.checkpoint_path)
    assert stored.step == 2 and stored.extra["time_budget"]["from_fraction"] == 1.0


def test_more_minutes_spread_what_is_left_of_the_decay_without_a_jump(tiny_config):
    config = replace(tiny_config, lr=1.0, warmup_steps=500, steps=100_000, min_lr_fraction=0.1)
    hour = TimeBudget(3600.0)
    longer = hour.extended(2700.0, 7200.0)  # at 45 of 60 minutes, 120 minutes more
    assert longer.total_s == 9900.0
    assert longer.fraction(2700.0) == pytest.approx(hour.fraction(2700.0))
    assert longer.fraction(9900.0) == pytest.approx(1.0)
    rate = learning_rate(900, config, time_fraction=hour.fraction(2700.0))
    assert learning_rate(900, config, time_fraction=longer.fraction(2700.0)) == pytest.approx(rate)
    assert learning_rate(900, config, time_fraction=longer.fraction(3600.0)) > 0.1
    assert TimeBudget.from_json(longer.to_json()) == longer


def _checkpoint(config, elapsed_s, budget=None):
    extra = {"elapsed_s": elapsed_s}
    if budget is not None:
        extra["time_budget"] = budget.to_json()
    return Checkpoint(100, config.to_config(), extra)


def test_the_wizards_remaining_minutes_give_the_runs_own_budget(tiny_config, monkeypatch):
    from xraygui.wizard import process
    from xraygui.wizard.runs import CheckpointFound, RunSpec

    spec = RunSpec(data=tiny_config.data, folder=tiny_config.output.parent, steps=100_000,
                   minutes=60.0, batch_size=2, patch_size=16)  # fmt: skip
    found = CheckpointFound((500, 1234.5))
    monkeypatch.setattr(process, "find_checkpoint", lambda spec: found)
    _, args = process.training_command(spec, resume=True)
    minutes = float(args[args.index("--minutes") + 1])
    first = replace(tiny_config, minutes=60.0)
    resumed = replace(first, resume=True, minutes=minutes)
    budget = _time_budget(resumed, _checkpoint(first, 1234.5, TimeBudget(3600.0)))
    assert budget.total_s == pytest.approx(3600.0, abs=0.01)
    for t in (1234.5, 2000.0, 3599.0):
        assert budget.fraction(t) == pytest.approx(t / 3600.0, abs=1e-5)


def test_an_older_checkpoint_goes_on_by_steps_with_a_warning(tiny_config, caplog):
    first = replace(tiny_config, minutes=60.0)
    older = _checkpoint(first, 1234.5)  # no stored budget
    with caplog.at_level("WARNING", logger="core.training.loop"):
        assert _time_budget(replace(first, resume=True, minutes=None), older) is None
    assert "predates stored time budgets" in caplog.text
    budget = _time_budget(replace(first, resume=True, minutes=10.0), older)
    assert budget == TimeBudget(1834.5, 1234.5, 0.0)
