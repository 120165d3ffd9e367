"""The random draws of each training step, made ahead in worker processes if asked.

Every random draw of step ``k`` on rank ``r`` comes from
``numpy.random.default_rng([seed, k, r])``: the patches, their diffusion times and the
noise added to them. A step's draws are therefore a pure function of the step, so they
can be made in any process and in any order, and a run gives the same weights whether
it draws them itself or in background workers, and whether it was resumed or not.

Drawing patches costs about half a millisecond each on one core (crop, resize, tone
curve); a GPU consumes them much faster, so on a GPU the draws run in PyTorch
``DataLoader`` worker processes, in step order, a few steps ahead.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from core.cores import usable_cores
from core.diffusion.schedule import NoiseSchedule
from core.training.patches import PatchSampler
from core.training.timesteps import TimestepSampler

MAX_AUTO_WORKERS = 8
"""Most worker processes that ``workers=None`` starts on a GPU."""


def step_rng(seed: int, step: int, rank: int) -> np.random.Generator:
    """Return the generator of every random draw of one step on one rank."""
    return np.random.default_rng([seed, step, rank])


class StepDraws(Dataset):
    """The draws of step ``k``: ``(x0, t, noise)`` as CPU tensors, indexed by ``k``.

    Parameters
    ----------
    sampler : PatchSampler
        Cuts the clean patches ``x0``.
    timesteps : TimestepSampler
        Draws the times ``t``.
    schedule : NoiseSchedule
        The diffusion schedule the times refer to.
    batch_size : int
        Patches per step.
    seed : int
        The run's seed.
    rank : int
        This process's rank (each rank draws its own patches).
    """

    def __init__(
        self,
        sampler: PatchSampler,
        timesteps: TimestepSampler,
        schedule: NoiseSchedule,
        batch_size: int,
        *,
        seed: int,
        rank: int = 0,
    ) -> None:
        self.sampler, self.timesteps, self.schedule = sampler, timesteps, schedule
        self.batch_size, self.seed, self.rank = batch_size, seed, rank

    def __getitem__(self, step: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        rng = step_rng(self.seed, step, self.rank)
        x0 = self.sampler.batch(self.batch_size, rng)
        t = self.timesteps.sample(self.schedule, self.batch_size, rng)
        noise = rng.standard_normal(x0.shape, dtype=np.float32)
        return torch.from_numpy(x0), torch.from_numpy(t), torch.from_numpy(noise)


def auto_workers(device: torch.device) -> int:
    """Worker processes for a device: none on the CPU (it is busy training), else up to 8.

    Parameters
    ----------
    device : torch.device
        Where the network trains.

    Returns
    -------
    int
        0 on the CPU; on a GPU one less than the CPUs this process may use, at most
        :data:`MAX_AUTO_WORKERS`.
    """
    if device.type == "cpu":
        return 0
    return max(0, min(MAX_AUTO_WORKERS, usable_cores() - 1))


def iterate_draws(
    draws: StepDraws, first_step: int, last_step: int, *, workers: int, pin_memory: bool = False
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Yield the draws of steps ``first_step`` to ``last_step - 1``, in order.

    Parameters
    ----------
    draws : StepDraws
        The draws.
    first_step, last_step : int
        The steps, half open.
    workers : int
        Worker processes drawing ahead (0: each step's draws are made here, when it comes).
    pin_memory : bool
        Page-locked tensors, for faster copies to a GPU.

    Yields
    ------
    tuple of Tensor
        ``(x0, t, noise)`` of each step.
    """
    if workers == 0:
        for step in range(first_step, last_step):
            yield draws[step]
        return
    loader = DataLoader(
        draws,
        batch_size=None,
        sampler=range(first_step, last_step),
        num_workers=workers,
        pin_memory=pin_memory,
        prefetch_factor=4,
    )
    yield from loader
