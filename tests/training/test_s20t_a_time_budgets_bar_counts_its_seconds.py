"""Under ``--minutes`` the bar counts the budget's seconds, and log lines go above it."""

import io
import logging
import sys
from dataclasses import replace

import pytest
from tqdm import tqdm
from tqdm.contrib.logging import _TqdmLoggingHandler

from core.training import loop
from core.training.loop import train


@pytest.fixture
def bars(monkeypatch):
    """Record the run's bars, shown (into a string) as on a terminal."""
    made = []

    class Shown(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs.update(disable=False, file=io.StringIO(), mininterval=0)
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(loop, "tqdm", Shown)
    return made


def test_a_budgeted_run_s_bar_ends_full_at_its_seconds_with_the_step(tiny_config, bars):
    config = replace(tiny_config, steps=100_000, minutes=0.02, val_every=0, progress=True)
    train(config)
    (bar,) = bars
    assert bar.total == pytest.approx(1.2)
    assert bar.n == pytest.approx(bar.total)
    shown = bar.fp.getvalue()
    assert "/100000" in bar.postfix and "step" in bar.postfix and "100%" in shown


def test_a_run_of_steps_counts_its_steps(tiny_config, bars):
    train(replace(tiny_config, steps=3, val_every=0, progress=True))
    (bar,) = bars
    assert (bar.total, bar.n) == (3, 3) and "loss" in bar.postfix


def test_the_console_log_goes_through_the_bar_while_it_trains(tiny_config, monkeypatch):
    console = logging.StreamHandler(sys.stderr)
    logging.root.addHandler(console)
    seen = []

    def look(_state):
        seen.append(any(isinstance(h, _TqdmLoggingHandler) for h in logging.root.handlers))
        return False

    try:
        train(replace(tiny_config, steps=2, val_every=0), callback=look)
    finally:
        logging.root.removeHandler(console)
    assert seen == [True, True]
