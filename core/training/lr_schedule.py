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
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class StepPlan:
    """How a run's learning rate spends its steps: warm-up, then cosine decay to ``steps``.

    The decay's progress rises linearly from ``from_progress`` at step ``from_step``
    to 1 at the run's ``steps``: from 0 at the warm-up's end, unless a resumed run
    was given another horizon (:meth:`rehorizoned`).

    Parameters
    ----------
    warmup : int
        Warm-up steps (kept by a resumed run whatever its new horizon).
    from_step : int
        Step at which the current plan began.
    from_progress : float
        Progress of the decay at ``from_step``, in ``[0, 1]``.
    """

    warmup: int
    from_step: int
    from_progress: float = 0.0

    @classmethod
    def fresh(cls, config: TrainConfig) -> StepPlan:
        """Return the plan of a run that starts at step 0 (:func:`warmup_steps`)."""
        warmup = warmup_steps(config)
        return cls(warmup, warmup)

    def progress(self, step: int, steps: int) -> float:
        """Return the decay's progress at ``step`` of ``steps``, in ``[0, 1]``."""
        planned = (step - self.from_step) / max(1, steps - self.from_step)
        return min(1.0, max(0.0, self.from_progress + (1.0 - self.from_progress) * planned))

    def rehorizoned(self, step: int, old_steps: int, new_steps: int, floor: float) -> StepPlan:
        """Go on from ``step`` towards another horizon without a jump of the rate.

        Past the warm-up, the progress at ``step`` under ``old_steps`` is kept and
        what is left of the decay is spread over the new remaining steps. Within it,
        the warm-up is kept where it ends before ``new_steps``; otherwise it ends at
        ``step`` and the decay starts from the rate reached.

        Parameters
        ----------
        step : int
            Steps done (at least 1).
        old_steps, new_steps : int
            The horizon the run had until now, and its new one.
        floor : float
            The decay's end as a share of the peak rate (``min_lr_fraction``).

        Returns
        -------
        StepPlan
        """
        if step > self.from_step:
            return StepPlan(self.warmup, step, self.progress(step, old_steps))
        if self.warmup < new_steps:
            return self
        reached = min(1.0, step / max(1, self.warmup))
        height = min(1.0, max(0.0, (reached - floor) / (1.0 - floor)))
        return StepPlan(step, step, math.acos(2.0 * height - 1.0) / math.pi)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "warmup": self.warmup,
            "from_step": self.from_step,
            "from_progress": self.from_progress,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepPlan:
        """Rebuild from :meth:`to_json` output."""
        return cls(int(data["warmup"]), int(data["from_step"]), float(data["from_progress"]))


def learning_rate(
    step: int,
    config: TrainConfig,
    *,
    time_fraction: float = 0.0,
    plan: StepPlan | None = None,
) -> float:
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
    plan : StepPlan or None
        The run's warm-up and decay; None: :meth:`StepPlan.fresh`.

    Returns
    -------
    float
    """
    plan = StepPlan.fresh(config) if plan is None else plan
    warmup = plan.warmup
    warmed = max(1.0 if warmup == 0 else (step + 1) / warmup, time_fraction / MAX_WARMUP_FRACTION)
    if warmed < 1.0:
        return config.lr * warmed
    by_steps = plan.progress(step, config.steps)
    by_time = (time_fraction - MAX_WARMUP_FRACTION) / (1.0 - MAX_WARMUP_FRACTION)
    progress = min(1.0, max(0.0, by_steps, by_time))
    floor = config.min_lr_fraction
    return config.lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))
