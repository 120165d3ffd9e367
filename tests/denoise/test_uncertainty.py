import numpy as np
import pytest

from core.denoise.uncertainty import RunningMoments


def test_running_moments_give_the_sample_standard_deviation():
    samples = np.random.default_rng(0).normal(size=(5, 4, 3))
    moments = RunningMoments()
    for sample in samples:
        moments.add(sample)
    np.testing.assert_allclose(moments.std(), samples.std(axis=0, ddof=1), rtol=1e-6)
    with pytest.raises(ValueError, match="at least 2 samples, got 0"):
        RunningMoments().std()
    one = RunningMoments()
    one.add(samples[0])
    with pytest.raises(ValueError, match="at least 2 samples, got 1"):
        one.std()


def test_the_spread_does_not_depend_on_the_number_of_samples():
    """The map's mean variance is the samples' variance, for 2 samples as for 16."""
    rng = np.random.default_rng(1)
    for n in (2, 3, 16):
        moments = RunningMoments()
        for _ in range(n):
            moments.add(rng.normal(0.0, 2.0, size=20000))
        rms = float(np.sqrt(np.mean(moments.std().astype(np.float64) ** 2)))
        assert rms == pytest.approx(2.0, rel=0.03), n
