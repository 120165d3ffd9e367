import numpy as np
import pytest

from core.training.timesteps import TimestepSampler


def test_mixture(schedule_1000):
    sampler = TimestepSampler(focus_fraction=0.7, focus_sigma=(0.005, 0.3))
    t = sampler.sample(schedule_1000, 20000, np.random.default_rng(0))
    assert t.shape == (20000,) and t.min() >= 0 and t.max() <= 1000
    sigma = schedule_1000.sigma(t)
    in_focus = np.mean((sigma >= 0.005) & (sigma <= 0.3))
    # 70 % focus draws plus the uniform draws that land in t(0.005)..t(0.3) ~ 1.4..180.
    uniform_share = (
        schedule_1000.timestep_for_sigma(0.3) - schedule_1000.timestep_for_sigma(0.005)
    ) / 1000
    assert in_focus == pytest.approx(0.7 + 0.3 * uniform_share, abs=0.015)
    # Log-uniform in sigma within the focus range: equal mass per decade.
    low = np.mean((sigma >= 0.005) & (sigma < 0.005 * 10**0.89))
    high = np.mean((sigma >= 0.3 / 10**0.89) & (sigma <= 0.3))
    assert low == pytest.approx(0.35, abs=0.02)
    assert high > low  # plus uniform-time draws at the high end
    np.testing.assert_array_equal(t, sampler.sample(schedule_1000, 20000, np.random.default_rng(0)))


def test_round_trip_and_checks():
    sampler = TimestepSampler(0.5, (0.01, 0.2))
    assert TimestepSampler.from_config(sampler.to_config()) == sampler
    with pytest.raises(ValueError):
        TimestepSampler(focus_fraction=1.5)
    with pytest.raises(ValueError):
        TimestepSampler(focus_sigma=(0.2, 0.1))
