"""The learning rate: linear warm-up, then cosine decay, over steps or a time budget.

The rate is a pure function of the step (and, under a time budget, of the share of
the budget used), so a step-limited run resumes exactly.

References
----------
.. [1] I. Loshchilov, F. Hutter. SGDR: Stochastic Gradient Descent with Warm Restarts.
   ICLR 2017 (cosine decay).
.. [2] P. Goyal et al. Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour.
   arXiv:1706.02677, 2017 (linear warm-up).
"""

from __future__ import annotations

import math

from core.training.config import TrainConfig

MAX_WARMUP_FRACTION = 0.1
"""The warm-up takes at most this share of the run's steps, or of its time budget."""


def warmup_steps(config: TrainConfig) -> int:
    """Return the warm-up length in steps: ``warmup_steps``, capped at a tenth of ``steps``.

    Parameters
    ----------
    config : TrainConfig
        ``warmup_steps`` and ``steps``.

    Returns
    -------
    int
        ``min(warmup_steps, floor(MAX_WARMUP_FRACTION * steps))``.
    """
    return min(config.warmup_steps, math.floor(MAX_WARMUP_FRACTION * config.steps))


def learning_rate(step: int, config: TrainConfig, *, time_fraction: float = 0.0) -> float:
    """Linear warm-up to ``config.lr``, then cosine decay to ``lr * min_lr_fraction``.

    The run's progress is the larger of the share of its steps done and
    ``time_fraction``, the share of its time budget used: a run stopped by its
    budget has warmed up and decayed within it. The warm-up ends after
    :func:`warmup_steps` steps or a tenth of the budget, whichever comes first.

    Parameters
    ----------
    step : int
        Optimiser steps done before this one.
    config : TrainConfig
        ``lr``, ``warmup_steps``, ``steps`` and ``min_lr_fraction``.
    time_fraction : float
        Wall time of the run so far over its time budget; 0 without a budget.

    Returns
    -------
    float
    """
    warmup = warmup_steps(config)
    warmed = max(1.0 if warmup == 0 else (step + 1) / warmup, time_fraction / MAX_WARMUP_FRACTION)
    if warmed < 1.0:
        return config.lr * warmed
    by_steps = (step - warmup) / max(1, config.steps - warmup)
    by_time = (time_fraction - MAX_WARMUP_FRACTION) / (1.0 - MAX_WARMUP_FRACTION)
    progress = min(1.0, max(0.0, by_steps, by_time))
    floor = config.min_lr_fraction
    return config.lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))
