"""The denoise's step records come from the sampler's loop and are dated as its states."""

import numpy as np
import pytest

from core.denoise import DenoiseSettings, DenoiseStep, TileProgress, denoise_steps
from core.diffusion.sampler import reverse_times


@pytest.mark.parametrize(
    ("sampler", "views"), [("ddim", 1), ("ddim", 2), ("ddpm", 1)], ids=["ddim", "views", "ddpm"]
)
def test_each_step_is_dated_and_leveled_where_it_started_and_ended(
    tiny_model, noisy_phantom, sampler, views
):
    settings = DenoiseSettings(sampler=sampler, n_steps=3, views=views, device="cpu", seed=4)
    events = list(denoise_steps(noisy_phantom, tiny_model, settings))
    steps = [e for e in events if isinstance(e, DenoiseStep)]
    times = reverse_times(events[-1].t_start, 3)
    schedule = tiny_model.schedule
    assert [s.step for s in steps] == [1, 2, 3] and {s.n_steps for s in steps} == {3}
    assert [s.t_from for s in steps] == list(times[:-1])
    assert [s.t for s in steps] == list(times[1:])
    for step in steps:
        assert step.sigma_from == float(schedule.sigma(step.t_from))  # not sigma(t)
        assert step.sigma == float(schedule.sigma(step.t))
    assert steps[-1].sigma == 0.0 and steps[0].sigma_from > steps[0].sigma


def test_every_step_follows_its_network_calls(tiny_model, noisy_phantom):
    settings = DenoiseSettings(n_steps=2, views=2, tile_size=64, tile_overlap=8, device="cpu")
    events = list(denoise_steps(noisy_phantom, tiny_model, settings))[1:-1]  # less prep, result
    kinds = [(type(e).__name__, e.step) for e in events]
    n_calls = events[0].n_tiles
    assert n_calls == 2 * 4  # two views of 2 x 2 tiles
    expected = [("TileProgress", 1)] * n_calls + [("DenoiseStep", 1)]
    expected += [("TileProgress", 2)] * n_calls + [("DenoiseStep", 2)]
    assert kinds == expected
    calls = [e for e in events if isinstance(e, TileProgress)]
    assert [e.tile for e in calls] == list(range(1, n_calls + 1)) * 2
    assert np.all(np.isfinite(events[-1].image))
