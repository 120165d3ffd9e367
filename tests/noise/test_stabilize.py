import math

import numpy as np
import pytest
from scipy import stats

from core.noise import (
    GeneralizedAnscombe,
    LogDetectorFit,
    LogDetectorStabilizer,
    NoiseLevelFunction,
    NoiseLevelStabilizer,
    VarianceStabilizer,
    chest_phantom,
    estimate_noise_level_function,
)

SAMPLES = 200_000


def poisson_gaussian(mean, a, b, rng, size=None):
    """z = a * Poisson(mean / a) + N(0, b): Var(z) = a * mean + b."""
    size = np.shape(mean) if size is None else size
    return a * rng.poisson(mean / a, size) + rng.normal(0.0, math.sqrt(b), size)


def exact_expectation(transform, mean, a, b):
    """E[f(z)] by summing the Poisson pmf and Gauss-Hermite quadrature over the Gaussian."""
    lam = mean / a
    k = np.arange(0, int(lam + 12 * math.sqrt(lam + 1) + 30))
    pmf = stats.poisson.pmf(k, lam)
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    values = transform(a * k[:, None] + math.sqrt(b) * nodes[None, :])
    return float(pmf @ values @ (weights / weights.sum()))


@pytest.mark.parametrize(("a", "b"), [(1.0, 0.0), (1.0, 1.0), (2.0, 9.0), (0.01, 1e-4)])
def test_gat_gives_unit_variance_from_five_counts_up(a, b):
    rng = np.random.default_rng(20)
    gat = GeneralizedAnscombe.from_poisson_gaussian(a, b)
    for counts in [5, 10, 30, 100, 1000]:
        z = poisson_gaussian(counts * a, a, b, rng, SAMPLES)
        assert gat.forward(z).var() == pytest.approx(1.0, rel=0.1)
    assert gat.noise_std_after == 1.0


@pytest.mark.parametrize("sigma_counts", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("counts", [1.0, 2.0, 5.0])
def test_gat_exact_unbiased_inverse_recovers_low_counts(counts, sigma_counts):
    gain = 3.0
    a, b = gain, (gain * sigma_counts) ** 2
    gat = GeneralizedAnscombe.from_poisson_gaussian(a, b)
    expected = exact_expectation(gat.forward, counts * gain, a, b)
    # Makitalo and Foi's closed form: within a few hundredths of a count here.
    assert gat.inverse(expected) / gain == pytest.approx(counts, abs=0.04)
    # The algebraic inverse is about a fifth of a count or more too low here.
    assert counts - gat.algebraic_inverse(expected) / gain > 0.15


def test_gat_inverse_is_monotone_and_non_negative():
    gat = GeneralizedAnscombe(gain=2.0, sigma=1.5, mu=10.0)
    d = np.linspace(0.0, 60.0, 6001)
    inverse = gat.inverse(d)
    assert np.all(np.diff(inverse) >= 0)
    assert inverse.min() == 10.0  # zero counts on the pedestal
    z = np.linspace(10.0, 500.0, 11)
    np.testing.assert_allclose(gat.algebraic_inverse(gat.forward(z)), z)


def test_gat_with_negative_intercept_uses_a_pedestal():
    gat = GeneralizedAnscombe.from_poisson_gaussian(2.0, -8.0)
    assert (gat.gain, gat.sigma, gat.mu) == (2.0, 0.0, 4.0)
    rng = np.random.default_rng(21)
    z = 4.0 + 2.0 * rng.poisson(50.0, SAMPLES)  # Var = 2 E[z] - 8
    assert gat.forward(z).var() == pytest.approx(1.0, rel=0.05)


def test_gat_from_nlf_uses_its_fit():
    nlf = NoiseLevelFunction([10.0, 100.0], [math.sqrt(14), math.sqrt(104)], [500, 500], (1.0, 4.0))
    gat = GeneralizedAnscombe.from_noise_level_function(nlf)
    assert (gat.gain, gat.sigma, gat.mu) == (1.0, 2.0, 0.0)
    with pytest.raises(ValueError, match="NoiseLevelStabilizer"):
        GeneralizedAnscombe.from_noise_level_function(NoiseLevelFunction([1.0], [1.0], [500]))
    with pytest.raises(ValueError, match="gain must be > 0"):
        GeneralizedAnscombe(gain=0.0)


@pytest.fixture(scope="module")
def estimated():
    """An NLF estimated from a Poisson-Gaussian chest phantom, with its true (a, b)."""
    a, b = 0.5, 4.0
    anatomy = chest_phantom((768, 768), seed=1)
    mean = 5.0 + 995.0 * anatomy / anatomy.max()
    noisy = poisson_gaussian(mean, a, b, np.random.default_rng(22))
    return estimate_noise_level_function(noisy), a, b


def test_nlf_stabilizer_from_estimated_nlf_gives_unit_variance(estimated):
    nlf, a, b = estimated
    stabilizer = NoiseLevelStabilizer.from_noise_level_function(nlf)
    assert isinstance(stabilizer, VarianceStabilizer)
    rng = np.random.default_rng(23)
    # Every intensity the NLF has an estimate for (from 10 counts, its lowest bin, up).
    assert nlf.intensities.size >= 10
    for mean in nlf.intensities:
        z = poisson_gaussian(mean, a, b, rng, SAMPLES)
        assert stabilizer.forward(z).var() == pytest.approx(1.0, rel=0.1)


def test_nlf_stabilizer_of_constant_noise_is_a_scaled_shift():
    nlf = NoiseLevelFunction([100.0, 200.0], [4.0, 4.0], [500, 500])
    stabilizer = NoiseLevelStabilizer.from_noise_level_function(nlf)
    z = np.array([-50.0, 100.0, 150.0, 300.0])
    np.testing.assert_allclose(stabilizer.forward(z), (z - 100.0) / 4.0, atol=1e-9)
    np.testing.assert_allclose(stabilizer.inverse(stabilizer.forward(z)), z, atol=1e-9)
    np.testing.assert_allclose(stabilizer.algebraic_inverse(stabilizer.forward(z)), z, atol=1e-9)


def exact_nlf(a, b, low, high):
    """A noise-level function tabulated from the true sigma(y) = sqrt(a y + b)."""
    intensities = np.geomspace(low, high, 64)
    return NoiseLevelFunction(intensities, np.sqrt(a * intensities + b), np.full(64, 10**6))


@pytest.mark.parametrize("counts", [8.0, 15.0, 30.0])
def test_nlf_stabilizer_inverse_removes_the_first_order_bias(counts):
    a, b = 1.0, 1.0
    stabilizer = NoiseLevelStabilizer.from_noise_level_function(exact_nlf(a, b, 0.5, 500.0))
    expected = exact_expectation(stabilizer.forward, counts, a, b)
    bias_algebraic = stabilizer.algebraic_inverse(expected) - counts
    bias_corrected = stabilizer.inverse(expected) - counts
    assert abs(bias_algebraic) > 0.2
    assert abs(bias_corrected) < 0.25 * abs(bias_algebraic)


def test_nlf_stabilizer_is_monotone_beyond_its_grid(estimated):
    nlf, _, _ = estimated
    stabilizer = NoiseLevelStabilizer.from_noise_level_function(nlf)
    z = np.linspace(-500.0, 3000.0, 3501)
    forward = stabilizer.forward(z)
    assert np.all(np.diff(forward) > 0)
    assert np.all(np.diff(stabilizer.inverse(forward)) >= 0)
    np.testing.assert_allclose(stabilizer.algebraic_inverse(forward), z, rtol=1e-6, atol=1e-6)


def test_nlf_stabilizer_refuses_zero_noise():
    with pytest.raises(ValueError, match="sigma > 0"):
        NoiseLevelStabilizer.from_noise_level_function(
            NoiseLevelFunction([1.0, 2.0], [0.0, 1.0], [500, 500])
        )


def log_detector(v, counts_at_zero, electronic):
    """A log detector p = v L, quanta counts_at_zero * exp(-L), as a fit referenced at p = 0."""
    electronic_variance = (electronic * v / counts_at_zero) ** 2
    return LogDetectorFit(v, 0.0, v * v / counts_at_zero, electronic_variance, 0, 0)


def log_pixels(fit, lam, rng, size):
    """Noisy pixels of a log detector at lam expected quanta (counts floored at 1)."""
    counts = rng.poisson(lam, size) + rng.normal(0.0, fit.electronic_noise, size)
    return fit.values(np.maximum(counts, 1.0))


@pytest.mark.parametrize("v", [585.0, -300.0])
def test_log_detector_stabilizer_gives_unit_variance_from_ten_counts_up(v):
    fit = log_detector(v, 5000.0, 2.0)
    stabilizer = LogDetectorStabilizer(fit)
    assert isinstance(stabilizer, VarianceStabilizer)
    rng = np.random.default_rng(30)
    for lam in [10.0, 30.0, 100.0, 1000.0]:
        z = log_pixels(fit, lam, rng, SAMPLES)
        assert stabilizer.forward(z).var() == pytest.approx(1.0, rel=0.1)
    z = np.linspace(-3000.0, 3000.0, 601)
    forward = stabilizer.forward(z)
    assert np.all(np.diff(forward) > 0)  # increasing for either sign of v
    np.testing.assert_allclose(stabilizer.algebraic_inverse(forward), z, atol=1e-6)
    assert np.all(np.diff(stabilizer.inverse(forward)) >= 0)


@pytest.mark.parametrize("lam", [10.0, 30.0, 100.0])
def test_log_detector_inverse_gives_the_clean_pixel_not_the_biased_mean(lam):
    v = 585.0
    fit = log_detector(v, 5000.0, 2.0)
    rng = np.random.default_rng(31)
    z = log_pixels(fit, lam, rng, 4 * SAMPLES)
    clean = float(fit.values(np.array(lam)))
    bias = z.mean() - clean  # the log's bias, about Var(p) / (2 v)
    variance = v * v * (lam + 4.0) / lam**2
    assert bias == pytest.approx(variance / (2 * v), rel=0.25)
    log_stabilizer = LogDetectorStabilizer(fit)
    recovered = log_stabilizer.inverse(log_stabilizer.forward(z).mean())
    assert abs(recovered - clean) < 0.1 * bias
    # The stabiliser built from the (exact) noise-level function estimates E[p]: biased.
    intensities = np.linspace(clean - 3 * math.sqrt(variance), clean + 3 * math.sqrt(variance), 64)
    nlf = NoiseLevelFunction(intensities, fit.sigma(intensities), np.full(64, 10**6))
    nlf_stabilizer = NoiseLevelStabilizer.from_noise_level_function(nlf)
    assert nlf_stabilizer.inverse(nlf_stabilizer.forward(z).mean()) - clean > 0.5 * bias


def test_a_steep_fitted_noise_slope_cannot_shift_the_inverse_by_sigmas():
    from core.noise.estimate import NoiseLevelFunction

    # sigma from 22 to 43 over 10 intensity units: a slope of 2, where Poisson noise has
    # at most 1/2 (one quantum); the unbiased inverse used to move values by a sigma.
    nlf = NoiseLevelFunction(
        intensities=np.array([995.0, 1000.0, 1005.0]),
        sigmas=np.array([22.0, 32.0, 43.0]),
        counts=np.array([100, 100, 100]),
    )
    stabilizer = NoiseLevelStabilizer.from_noise_level_function(nlf)
    values = np.array([996.0, 1000.0, 1004.0])
    back = stabilizer.inverse(stabilizer.forward(values))
    assert np.all(np.abs(back - values) <= 0.35 * nlf(values))  # about 1 sigma unclipped
