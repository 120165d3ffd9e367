"""The samplers take any strided array and refuse, on the call, inputs they cannot run."""

import numpy as np
import pytest
import torch

from core.diffusion.sampler import (
    ddim_sample,
    ddpm_sample,
    diffusion_start,
    reverse_times,
    sample,
)


@pytest.fixture
def image():
    return np.random.default_rng(0).standard_normal((16, 16)).astype(np.float32) * 0.3


def test_a_flipped_or_fortran_array_samples_as_its_copy(tiny_model, image):
    def run(x):
        return sample(ddim_sample(tiny_model, x, t_start=20.0, n_steps=2)).x_t

    expected = run(np.flip(image, 0).copy())
    np.testing.assert_array_equal(run(np.flip(image, 0)), expected)
    np.testing.assert_array_equal(run(np.asfortranarray(image)), run(image.copy()))


@pytest.mark.parametrize(
    ("x", "reason"),
    [
        (np.zeros((1, 2, 16, 16), np.float32), r"input has 2 channels, the network takes 1"),
        (np.full((16, 16), np.nan, np.float32), r"input contains NaN or infinity"),
        (np.full((16, 16), np.inf, np.float32), r"input contains NaN or infinity"),
    ],
)
def test_an_input_the_network_cannot_take_is_refused_on_the_call(tiny_model, x, reason):
    with pytest.raises(ValueError, match=reason):
        ddim_sample(tiny_model, x, t_start=20.0, n_steps=1)
    with pytest.raises(ValueError, match=reason):
        ddpm_sample(tiny_model, x, t_start=20.0, n_steps=1, generator=torch.Generator())


@pytest.mark.parametrize("n_steps", [1.5, "2", True, 2.0])
def test_n_steps_must_be_an_integer(tiny_model, image, n_steps):
    with pytest.raises(ValueError, match=r"n_steps must be an integer"):
        ddim_sample(tiny_model, image, t_start=20.0, n_steps=n_steps)


def test_a_numpy_integer_is_an_integer(tiny_model, image):
    state = sample(ddim_sample(tiny_model, image, t_start=20.0, n_steps=np.int64(2)))
    assert state.n_steps == 2


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan")])
def test_a_start_without_noise_is_refused_where_it_is_made(schedule, sigma):
    with pytest.raises(ValueError, match=r"sigma must be > 0"):
        diffusion_start(schedule, torch.zeros(1, 1, 4, 4), sigma=sigma)


def test_the_smallest_noise_level_starts_a_run_the_sampler_takes(schedule, tiny_model):
    x_start, t_start = diffusion_start(schedule, torch.zeros(1, 1, 16, 16), sigma=1e-9)
    assert t_start > 0
    assert reverse_times(t_start, 1)[-1] == 0.0
    assert sample(ddim_sample(tiny_model, x_start, t_start=t_start, n_steps=1)).t == 0.0
