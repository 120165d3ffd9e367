from dataclasses import replace

import pytest

from core.training.lr_schedule import learning_rate, warmup_steps


def test_a_short_run_warms_up_within_a_tenth_of_its_steps(tiny_config):
    config = replace(tiny_config, lr=1.0, warmup_steps=500, steps=50, min_lr_fraction=0.1)
    assert warmup_steps(config) == 5
    assert learning_rate(0, config) == pytest.approx(0.2)
    assert learning_rate(4, config) == pytest.approx(1.0)
    assert learning_rate(50, config) == pytest.approx(0.1)
    rates = [learning_rate(s, config) for s in range(4, 51)]
    assert all(a >= b for a, b in zip(rates, rates[1:], strict=False))
    assert warmup_steps(replace(config, steps=100_000)) == 500  # a long run keeps its own


def test_a_time_budget_drives_warm_up_and_decay(tiny_config):
    config = replace(tiny_config, lr=1.0, warmup_steps=500, steps=100_000, min_lr_fraction=0.1)
    assert learning_rate(0, config, time_fraction=0.05) == pytest.approx(0.5)
    assert learning_rate(0, config, time_fraction=0.1) == pytest.approx(1.0)
    assert learning_rate(600, config, time_fraction=0.55) == pytest.approx(0.1 + 0.9 * 0.5)
    assert learning_rate(731, config, time_fraction=1.0) == pytest.approx(0.1)
    # Steps still count when they are ahead of the clock.
    assert learning_rate(100_000, config, time_fraction=0.2) == pytest.approx(0.1)
    assert learning_rate(600, config) == learning_rate(600, config, time_fraction=0.0)
