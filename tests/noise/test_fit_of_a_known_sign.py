"""A log-detector fit told the sign of its slope tries only that sign, and finds the same fit."""

import numpy as np
import pytest

from core.noise import NoiseLevelFunction, fit_log_detector


def exact_nlf(v: float, electronic: float) -> NoiseLevelFunction:
    """The NLF of a detector ``p = v L`` with 2000 quanta at ``L = 0``, over ``L`` 0-5."""
    span = 5 * abs(v)
    intensities = np.linspace(0.0, span, 16) if v > 0 else np.linspace(-span, 0.0, 16)
    lam = 2000.0 * np.exp(-intensities / v)
    sigmas = abs(v) * np.sqrt(lam + electronic**2) / lam
    return NoiseLevelFunction(intensities, sigmas, np.full(16, 1000))


@pytest.mark.parametrize("v", [585.0, -300.0])
@pytest.mark.parametrize("electronic", [None, 4.0])
def test_the_sign_of_the_best_fit_gives_that_fit(v, electronic):
    nlf = exact_nlf(v, 4.0)
    free = fit_log_detector(nlf, electronic_noise=electronic)
    signed = fit_log_detector(nlf, electronic_noise=electronic, sign=1 if v > 0 else -1)
    assert signed == free
    assert signed.value_per_attenuation == pytest.approx(v, rel=0.03)


@pytest.mark.parametrize("electronic", [None, 4.0])
def test_the_other_sign_is_not_tried(electronic):
    nlf = exact_nlf(585.0, 4.0)
    other = fit_log_detector(nlf, electronic_noise=electronic, sign=-1)
    assert other is None or other.value_per_attenuation < 0
    assert other is None or other.rms_error > fit_log_detector(nlf).rms_error


def test_a_sign_other_than_plus_or_minus_one_is_refused():
    with pytest.raises(ValueError, match="sign must be 1, -1 or None"):
        fit_log_detector(exact_nlf(585.0, 4.0), sign=0)
