import numpy as np
import pytest
import torch

from core.diffusion.model import DiffusionModel
from core.diffusion.sampler import (
    StepState,
    ddim_sample,
    ddpm_sample,
    diffusion_start,
    generate,
    q_sample,
    reverse_step,
    sample,
)

# Golden values: tiny U-Net, every parameter ~ 0.1 N(0, 1) from seed 0, x from seed 1,
# t* = 50, 3 steps. Columns: t reached, sum(x_t), sum(x0_pred), x_t[5, 7].
GOLDEN_DDIM = [
    (33.33333333333333, 12.939927101135254, 12.190842628479004, -0.16569353640079498),
    (16.666666666666664, 12.62641716003418, 12.18729305267334, -0.1714198887348175),
    (0.0, 12.190512657165527, 12.190512657165527, -0.17892497777938843),
]
# Same, ancestral with step noise from seed 2.
GOLDEN_DDPM = [
    (33.33333333333333, 13.323542594909668, 12.190842628479004, -0.16160514950752258),
    (16.666666666666664, 13.071826934814453, 12.572362899780273, -0.22657422721385956),
    (0.0, 12.635981559753418, 12.635981559753418, -0.23414058983325958),
]


@pytest.fixture
def x_start():
    return torch.randn(1, 1, 16, 16, generator=torch.Generator().manual_seed(1))


def check_golden(states, golden):
    assert [s.step for s in states] == [1, 2, 3]
    for state, (t, x_sum, x0_sum, pixel) in zip(states, golden, strict=True):
        assert state.t == pytest.approx(t, rel=1e-12)
        assert state.x_t.sum(dtype=np.float64) == pytest.approx(x_sum, rel=1e-4)
        assert state.x0_pred.sum(dtype=np.float64) == pytest.approx(x0_sum, rel=1e-4)
        assert state.x_t[0, 0, 5, 7] == pytest.approx(pixel, rel=1e-4, abs=1e-5)


def test_ddim_golden(tiny_model, x_start):
    check_golden(list(ddim_sample(tiny_model, x_start, t_start=50.0, n_steps=3)), GOLDEN_DDIM)


def test_ddpm_golden(tiny_model, x_start):
    states = ddpm_sample(
        tiny_model, x_start, t_start=50.0, n_steps=3, generator=torch.Generator().manual_seed(2)
    )
    check_golden(list(states), GOLDEN_DDPM)


def test_states_are_cpu_numpy_shaped_like_input(tiny_model, x_start):
    states = list(ddim_sample(tiny_model, x_start[0, 0].numpy(), t_start=7.5, n_steps=2))
    for state in states:
        assert isinstance(state, StepState)
        assert state.n_steps == 2
        for array in (state.x_t, state.x0_pred):
            assert isinstance(array, np.ndarray)
            assert array.dtype == np.float32 and array.shape == (16, 16)
    assert states[0].sigma == pytest.approx(tiny_model.schedule.sigma(3.75))
    assert states[-1].t == 0.0 and states[-1].sigma == 0.0


def test_each_states_x0_prediction_is_dated_where_its_step_started(tiny_model, x_start):
    states = list(ddim_sample(tiny_model, x_start, t_start=7.5, n_steps=3))
    assert [s.t_from for s in states] == [7.5, states[0].t, states[1].t]
    for state in states:
        assert state.sigma_from == pytest.approx(tiny_model.schedule.sigma(state.t_from))


def test_one_step_is_the_x0_prediction(tiny_model, x_start):
    for run in (
        ddim_sample(tiny_model, x_start, t_start=12.3, n_steps=1),
        ddpm_sample(
            tiny_model, x_start, t_start=12.3, n_steps=1, generator=torch.Generator().manual_seed(0)
        ),
    ):
        (state,) = list(run)
        with torch.no_grad():
            expected = tiny_model.predict_x0(x_start, 12.3).numpy()
        np.testing.assert_array_equal(state.x_t, state.x0_pred)
        np.testing.assert_allclose(state.x_t, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n_steps", [0, -1])
def test_no_steps_raises_on_call(tiny_model, x_start, n_steps):
    with pytest.raises(ValueError, match="n_steps"):
        ddim_sample(tiny_model, x_start, t_start=10.0, n_steps=n_steps)
    with pytest.raises(ValueError, match="n_steps"):
        ddpm_sample(tiny_model, x_start, t_start=10.0, n_steps=n_steps, generator=torch.Generator())


@pytest.mark.parametrize("t_start", [0.0, -1.0, 1000.5])
def test_bad_start_time_raises(tiny_model, x_start, t_start):
    with pytest.raises(ValueError, match="t_start"):
        ddim_sample(tiny_model, x_start, t_start=t_start, n_steps=2)


def test_bad_shape_raises(tiny_model):
    with pytest.raises(ValueError, match="shape"):
        sample(ddim_sample(tiny_model, np.zeros((1, 16, 16)), t_start=5.0, n_steps=1))


@pytest.mark.parametrize("t", [0.0, 1e-12])
@pytest.mark.parametrize("eta", [0.0, 1.0])
@pytest.mark.parametrize("clip", [None, (-0.5, 0.5)])
def test_a_step_from_a_noise_free_time_returns_the_state(tiny_model, x_start, t, eta, clip):
    # abar(t) is 1 in float64 at these times (an image with no measurable noise): the step
    # must not divide by 1 - abar(t).
    assert float(tiny_model.schedule.abar(t)) == 1.0
    x = x_start.clamp(-0.5, 0.5)
    eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(3))
    generator = torch.Generator().manual_seed(4)
    x_s, x0 = reverse_step(tiny_model, x, eps, t=t, s=0.0, eta=eta, generator=generator, clip=clip)
    torch.testing.assert_close(x0, x)
    torch.testing.assert_close(x_s, x)


def test_ddpm_seeded(tiny_model, x_start):
    def run(seed):
        gen = torch.Generator().manual_seed(seed)
        return sample(ddpm_sample(tiny_model, x_start, t_start=30.0, n_steps=4, generator=gen))

    np.testing.assert_array_equal(run(5).x_t, run(5).x_t)
    assert not np.array_equal(run(5).x_t, run(6).x_t)


def test_clip_bounds_x0(tiny_model, x_start):
    states = list(ddim_sample(tiny_model, x_start * 50, t_start=400.0, n_steps=3, clip=(-1, 1)))
    assert all(np.abs(s.x0_pred).max() <= 1.0 for s in states)


def test_generate_from_pure_noise(tiny_model):
    states = list(generate(tiny_model, (2, 1, 16, 16), n_steps=4, generator=torch.Generator()))
    assert [s.t for s in states] == [750.0, 500.0, 250.0, 0.0]
    assert states[-1].x_t.shape == (2, 1, 16, 16)
    assert np.abs(states[-1].x_t).max() <= 1.0
    with pytest.raises(ValueError, match="method"):
        generate(tiny_model, (16, 16), n_steps=1, generator=torch.Generator(), method="euler")


def test_q_sample_statistics(schedule):
    g = torch.Generator().manual_seed(0)
    x0 = torch.full((1, 1, 256, 256), 0.5)
    x_t = q_sample(schedule, x0, 80.0, torch.randn(x0.shape, generator=g))
    abar = schedule.abar(80.0)
    assert x_t.mean().item() == pytest.approx(abar**0.5 * 0.5, abs=0.01)
    assert x_t.var().item() == pytest.approx(1 - abar, rel=0.03)
    with pytest.raises(ValueError, match="noise shape"):
        q_sample(schedule, x0, 1.0, torch.zeros(1, 1, 8, 8))


def test_q_sample_per_image_times(schedule):
    x0, noise = torch.ones(2, 1, 4, 4), torch.zeros(2, 1, 4, 4)
    x_t = q_sample(schedule, x0, torch.tensor([0.0, 1000.0]), noise)
    assert x_t[0].unique().item() == 1.0
    assert x_t[1].unique().item() == pytest.approx(schedule.alphas_cumprod[-1] ** 0.5)


def test_diffusion_start_matches_noise_level(schedule):
    y = torch.full((8, 8), 0.4)
    x_start, t_start = diffusion_start(schedule, y, sigma=0.0317)
    assert schedule.sigma(t_start) == pytest.approx(0.0317)
    torch.testing.assert_close(x_start, y * schedule.abar(t_start) ** 0.5)


# Gaussian data x_0 ~ N(mu, s0^2) with the exact eps predictor: the posterior is known.
MU, S0, SIGMA, C = 0.2, 0.5, 0.4, 0.3


@pytest.fixture
def gaussian_case(schedule, gaussian_eps):
    model = DiffusionModel(gaussian_eps(schedule, MU, S0), schedule)
    t_start = schedule.timestep_for_sigma(SIGMA)
    a2 = schedule.abar(t_start)
    a, b2 = a2**0.5, 1 - a2
    return model, t_start, a, b2


def test_one_step_is_tweedie_posterior_mean(gaussian_case):
    model, t_start, a, b2 = gaussian_case
    state = sample(ddim_sample(model, torch.full((8, 8), C), t_start=t_start, n_steps=1))
    posterior_mean = MU + a * S0**2 * (C - a * MU) / (a * a * S0**2 + b2)
    np.testing.assert_allclose(state.x_t, posterior_mean, rtol=1e-6)


def test_ddpm_samples_the_posterior(gaussian_case):
    model, t_start, a, b2 = gaussian_case
    x = torch.full((128, 128), C)
    gen = torch.Generator().manual_seed(0)
    out = sample(ddpm_sample(model, x, t_start=t_start, n_steps=200, generator=gen)).x_t
    posterior_mean = MU + a * S0**2 * (C - a * MU) / (a * a * S0**2 + b2)
    posterior_var = S0**2 * b2 / (a * a * S0**2 + b2)
    assert out.mean() == pytest.approx(posterior_mean, abs=4 * (posterior_var / out.size) ** 0.5)
    assert out.var() == pytest.approx(posterior_var, rel=0.05)


def test_ddim_follows_the_probability_flow(gaussian_case):
    # For Gaussian data the ODE keeps (x_t - a mu) / sqrt(a^2 s0^2 + b^2) constant.
    model, t_start, a, b2 = gaussian_case
    out = sample(ddim_sample(model, torch.full((4, 4), C), t_start=t_start, n_steps=200)).x_t
    expected = MU + (C - a * MU) * S0 / (a * a * S0**2 + b2) ** 0.5
    np.testing.assert_allclose(out, expected, rtol=1e-3)
