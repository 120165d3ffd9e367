import threading

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from core.diffusion.schedule import NoiseSchedule
from core.training.draws import MAX_AUTO_WORKERS, StepDraws, auto_workers, iterate_draws
from core.training.patches import Augmentation, PatchSampler
from core.training.timesteps import TimestepSampler


@pytest.fixture
def draws() -> StepDraws:
    rng = np.random.default_rng(0)
    images = [rng.uniform(-1, 1, (40, 36)).astype(np.float32) for _ in range(3)]
    sampler = PatchSampler(images, 16, Augmentation())
    return StepDraws(sampler, TimestepSampler(), NoiseSchedule(), 3, seed=7, rank=1)


def test_a_steps_draws_depend_on_the_step_alone(draws):
    x0, t, noise = draws[5]
    assert x0.shape == noise.shape == (3, 1, 16, 16) and t.shape == (3,)
    assert x0.dtype == noise.dtype == torch.float32 and t.dtype == torch.float64
    again = draws[5]
    assert all(torch.equal(a, b) for a, b in zip(draws[5], again, strict=True))
    assert not torch.equal(draws[6][0], x0)


def test_workers_yield_the_same_draws_in_step_order(draws):
    inline = list(iterate_draws(draws, 3, 7, workers=0))
    pooled = list(iterate_draws(draws, 3, 7, workers=2))
    assert len(inline) == len(pooled) == 4
    for a, b in zip(inline, pooled, strict=True):
        assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    assert all(torch.equal(u, v) for u, v in zip(inline[0], draws[3], strict=True))


@pytest.mark.slow
def test_spawned_workers_draw_the_same_as_inline(draws):
    # Windows and macOS start workers by spawning: the sampler travels pickled.
    inline = list(iterate_draws(draws, 0, 3, workers=0))
    loader = DataLoader(
        draws, batch_size=None, sampler=range(3), num_workers=2, multiprocessing_context="spawn"
    )
    for a, b in zip(inline, loader, strict=True):
        assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))


def test_closing_early_stops_the_workers(draws):
    stream = iterate_draws(draws, 0, 1000, workers=2)
    next(stream)
    closer = threading.Thread(target=stream.close, daemon=True)
    closer.start()
    closer.join(timeout=60)  # fails, rather than hangs, if closing waited for 1000 steps
    assert not closer.is_alive()


def test_auto_workers():
    assert auto_workers(torch.device("cpu")) == 0
    assert 0 <= auto_workers(torch.device("cuda")) <= MAX_AUTO_WORKERS
