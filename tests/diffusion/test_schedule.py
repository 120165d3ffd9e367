import dataclasses
import math

import numpy as np
import pytest

from core.diffusion.schedule import NoiseSchedule, betas_for_alpha_bar


def f(s: float) -> float:
    return math.cos((s + 0.008) / 1.008 * math.pi / 2) ** 2


def test_golden_numbers(schedule):
    # Stored values of cosine-v1, T = 1000 (improved-diffusion's construction).
    assert schedule.betas[0] == pytest.approx(4.1284224821969140e-05, rel=1e-12)
    assert schedule.betas[998] == pytest.approx(7.4999939290111661e-01, rel=1e-12)
    assert schedule.alphas_cumprod[500] == pytest.approx(4.9384359044063819e-01, rel=1e-12)
    assert schedule.sigmas[1] == pytest.approx(6.4254127711420609e-03, rel=1e-12)
    assert schedule.sigmas[100] == pytest.approx(1.6943564199497091e-01, rel=1e-12)
    assert schedule.sigma_max == pytest.approx(2.0291169610019886e04, rel=1e-10)
    assert schedule.timestep_for_sigma(0.01) == pytest.approx(2.2922583179901412, rel=1e-12)
    assert schedule.timestep_for_sigma(0.2) == pytest.approx(118.92060784577977, rel=1e-12)


def test_matches_closed_form_cosine(schedule):
    # Without clipping the product telescopes: abar_k = f(k / T) / f(0).
    k = np.arange(0, 1000)
    expected = np.array([f(i / 1000) / f(0) for i in k])
    np.testing.assert_allclose(schedule.alphas_cumprod[:1000], expected, rtol=1e-12)


def test_betas_clipped_and_float64(schedule):
    assert schedule.betas.dtype == np.float64
    assert schedule.betas.shape == (1000,)
    assert schedule.betas.max() == 0.999
    assert schedule.betas[-1] == 0.999
    assert np.all(np.diff(schedule.alphas_cumprod) < 0)
    assert schedule.alphas_cumprod[0] == 1.0
    assert schedule.sigmas[0] == 0.0


def test_betas_for_alpha_bar_clips():
    betas = betas_for_alpha_bar(4, lambda s: 1 - s, max_beta=0.9)
    np.testing.assert_allclose(betas, [0.25, 1 / 3, 0.5, 0.9])


def test_frozen(schedule):
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.n_timesteps = 10
    with pytest.raises(ValueError):
        schedule.betas[0] = 0.5
    assert NoiseSchedule.from_config(schedule.to_config()) == schedule
    assert schedule.to_config() == {"name": "cosine-v1", "n_timesteps": 1000}


def test_integer_times_hit_the_grid(schedule):
    t = np.arange(0, 1001)
    np.testing.assert_allclose(schedule.sigma(t), schedule.sigmas, rtol=1e-13)
    np.testing.assert_allclose(schedule.abar(t), schedule.alphas_cumprod, rtol=1e-12, atol=1e-20)


def test_log_linear_between_steps(schedule):
    t = np.arange(1, 1000) + 0.5
    geometric_mean = np.sqrt(schedule.sigmas[1:1000] * schedule.sigmas[2:1001])
    np.testing.assert_allclose(schedule.sigma(t), geometric_mean, rtol=1e-12)
    # Below t = 1, sigma^2 is linear in t.
    assert schedule.sigma(0.25) == pytest.approx(schedule.sigmas[1] * 0.5, rel=1e-12)


@pytest.mark.parametrize("t", [0.0, 0.013, 0.7, 1.0, 2.5, 4.136, 33.3, 118.9, 999.99, 1000.0])
def test_timestep_for_sigma_inverts_sigma(schedule, t):
    assert schedule.timestep_for_sigma(schedule.sigma(t)) == pytest.approx(t, rel=1e-9, abs=1e-12)
    assert schedule.abar(t) == pytest.approx(1 / (1 + schedule.sigma(t) ** 2), rel=1e-14)


def test_vectorised_and_scalar(schedule):
    sig = np.array([0.0, 0.003, 0.0142, 0.0632])
    t = schedule.timestep_for_sigma(sig)
    assert isinstance(t, np.ndarray) and t.shape == (4,)
    assert isinstance(schedule.timestep_for_sigma(0.0142), float)
    assert isinstance(schedule.abar(3.0), float)
    np.testing.assert_allclose(schedule.sigma(t), sig, rtol=1e-12)


@pytest.mark.parametrize("t", [-0.1, 1000.5, float("nan")])
def test_bad_time_raises(schedule, t):
    with pytest.raises(ValueError, match="time must lie"):
        schedule.sigma(t)


@pytest.mark.parametrize("sigma", [-1e-3, 3e4, float("inf")])
def test_bad_sigma_raises(schedule, sigma):
    with pytest.raises(ValueError, match="noise level"):
        schedule.timestep_for_sigma(sigma)


def test_unknown_schedule_raises():
    with pytest.raises(ValueError, match="unknown noise schedule"):
        NoiseSchedule(name="linear")
    with pytest.raises(ValueError, match="n_timesteps"):
        NoiseSchedule(n_timesteps=1)
