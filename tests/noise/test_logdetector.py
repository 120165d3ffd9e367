import math
import warnings

import numpy as np
import pytest

from core.noise import (
    DetectorModel,
    LogDetectorFit,
    NoiseEstimate,
    NoiseLevelFunction,
    estimate_noise_level_function,
    fit_log_detector,
    log_detector_of,
    phantom_image,
    simulate_low_dose,
)


def log_detector_nlf(v, counts_at_zero, electronic, intensities, n=1000):
    """The exact NLF of a detector p = v L, counts counts_at_zero * exp(-L)."""
    lam = counts_at_zero * np.exp(-intensities / v)
    sigmas = abs(v) * np.sqrt(lam + electronic**2) / lam
    return NoiseLevelFunction(intensities, sigmas, np.full(intensities.shape, n))


@pytest.mark.parametrize(
    ("v", "electronic"), [(585.0, 0.0), (585.0, 4.0), (-300.0, 2.0), (40.0, 1.0)]
)
def test_fit_recovers_an_exact_log_detector(v, electronic):
    span = 5 * abs(v)  # line integrals 0 to 5
    intensities = np.linspace(0.0, span, 16) if v > 0 else np.linspace(-span, 0.0, 16)
    nlf = log_detector_nlf(v, 2000.0, electronic, intensities)
    fit = fit_log_detector(nlf)
    assert fit is not None and fit.accepted
    assert fit.value_per_attenuation == pytest.approx(v, rel=0.03)
    assert fit.electronic_noise == pytest.approx(electronic, abs=0.3)
    lam = 2000.0 * math.exp(-fit.reference / v)
    assert fit.counts_at_reference == pytest.approx(lam, rel=0.05)
    np.testing.assert_allclose(fit.sigma(nlf.intensities), nlf.sigmas, rtol=0.02)


@pytest.mark.parametrize("electronic", [0.0, 4.0, 10.0])
def test_a_given_electronic_noise_is_kept_and_the_rest_fitted(electronic):
    intensities = np.linspace(0.0, 5 * 585.0, 16)
    nlf = log_detector_nlf(585.0, 2000.0, electronic, intensities)
    fit = fit_log_detector(nlf, electronic_noise=electronic)
    assert fit is not None and fit.accepted
    assert fit.electronic_noise == pytest.approx(electronic, abs=1e-6)
    assert fit.value_per_attenuation == pytest.approx(585.0, rel=0.02)
    np.testing.assert_allclose(fit.sigma(nlf.intensities), nlf.sigmas, rtol=0.02)


@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
def test_fit_finds_the_simulated_detector_from_the_noisy_image(photometric):
    detector = DetectorModel.from_range(0.0, 4095.0, photometric=photometric)
    clean = phantom_image((512, 512), seed=0, photometric=photometric).astype(np.float64)
    noisy = simulate_low_dose(
        clean, dose=0.025, detector=detector, rng=np.random.default_rng(3), input_is_noisy=False
    )
    nlf = estimate_noise_level_function(noisy, min_count=500)
    fit = fit_log_detector(nlf)
    assert fit is not None and fit.accepted
    truth = detector.value_per_attenuation
    assert math.copysign(1.0, fit.value_per_attenuation) == math.copysign(1.0, truth)
    assert fit.value_per_attenuation == pytest.approx(truth, rel=0.2)
    # What the denoiser needs: the noise, and the log's bias Var(p) / (2 v) it removes.
    # (v and the electronic noise trade off against each other within the bins' errors.)
    lam = 0.025 * detector.photons_per_pixel * np.exp(-detector.line_integral(nlf.intensities))
    variance = truth**2 * (lam + detector.electronic_noise**2) / lam**2
    np.testing.assert_allclose(fit.sigma(nlf.intensities), np.sqrt(variance), rtol=0.1)
    bias = fit.sigma(nlf.intensities) ** 2 / (2 * fit.value_per_attenuation)
    np.testing.assert_allclose(bias, variance / (2 * truth), rtol=0.3)


def test_a_linear_detector_is_not_taken_for_a_log_one():
    intensities = np.linspace(100.0, 3000.0, 16)
    sigmas = np.sqrt(2.0 * intensities + 25.0)  # Poisson-Gaussian in pixel units
    nlf = NoiseLevelFunction(intensities, sigmas, np.full(16, 1000))
    fit = fit_log_detector(nlf)
    assert fit is None or not fit.accepted
    assert log_detector_of(nlf) is None


def test_nearly_constant_noise_fits_with_a_negligible_bias():
    intensities = np.linspace(100.0, 3000.0, 16)
    sigmas = np.sqrt(0.02 * intensities + 100.0)
    fit = fit_log_detector(NoiseLevelFunction(intensities, sigmas, np.full(16, 1000)))
    assert fit is not None and fit.accepted
    # The log's bias Var / (2 v) stays under 2 % of the noise std over the range.
    bias = sigmas**2 / (2 * abs(fit.value_per_attenuation))
    assert np.all(bias < 0.02 * sigmas)


def test_noise_that_no_detector_gives_is_not_accepted():
    intensities = np.linspace(0.0, 1000.0, 16)
    sigmas = 10.0 + 8.0 * np.sin(intensities / 150.0)  # up and down twice
    fit = fit_log_detector(NoiseLevelFunction(intensities, sigmas, np.full(16, 1000)))
    assert fit is None or not fit.accepted


def test_too_few_bins_or_zero_noise_give_no_fit():
    assert fit_log_detector(NoiseLevelFunction([1.0, 2.0, 3.0], [1.0, 1.1, 1.2], [50] * 3)) is None
    zero = NoiseLevelFunction(np.arange(6.0), [0.0, 1, 1, 1, 1, 1], [50] * 6)
    assert fit_log_detector(zero) is None


def test_counts_and_values_are_inverse_and_describe_is_one_line():
    fit = LogDetectorFit(-250.0, 1000.0, 40.0, 4.0, 0.02, 0.03)
    pixels = np.array([0.0, 500.0, 1000.0, 3000.0])
    counts = fit.counts(pixels)
    assert np.all(np.diff(counts) > 0)  # v < 0: brighter means more quanta
    np.testing.assert_allclose(fit.values(counts), pixels, atol=1e-9)
    assert fit.counts_at_reference == pytest.approx(250.0**2 / 40.0)
    assert fit.electronic_noise == pytest.approx(2.0 * 250.0 / 40.0)
    text = fit.describe()
    assert "\n" not in text and "log detector -250/attenuation" in text
    assert np.isfinite(fit.values(np.array([0.0]))[0])  # no count at all: a finite value


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0.0, 0.0, 1.0, 0.0, 0.0, 0.0), "value_per_attenuation"),
        ((10.0, 0.0, 0.0, 0.0, 0.0, 0.0), "quantum_variance"),
        ((10.0, 0.0, 1.0, -1.0, 0.0, 0.0), "electronic_variance"),
    ],
)
def test_bad_fits_are_refused(args, match):
    with pytest.raises(ValueError, match=match):
        LogDetectorFit(*args)


def test_acceptance_follows_the_bins_errors_within_10_to_25_percent():
    def fit(rms, standard_error):
        return LogDetectorFit(500.0, 0.0, 1.0, 0.0, rms, standard_error)

    assert fit(0.09, 0.01).accepted and not fit(0.11, 0.01).accepted
    assert fit(0.17, 0.06).accepted and not fit(0.19, 0.06).accepted
    assert fit(0.24, 0.4).accepted and not fit(0.26, 0.4).accepted


def test_fitting_noise_that_is_no_detectors_raises_no_numerical_warning():
    # Uniform noise: some slopes have no fit (infinite cost); the search around them once
    # let scipy's "invalid value encountered in scalar subtract" reach users.
    nlf = NoiseEstimate.from_pixels(np.random.default_rng(1).random((64, 64))).nlf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_log_detector(nlf, electronic_noise=4.0)
        fit_log_detector(nlf)


def test_a_small_flat_image_is_not_taken_for_a_log_detector():
    # 24 x 24 pixels of one grey with Gaussian noise: the noise curve spans less than
    # one sigma of intensity, so its slope (hence a detector) cannot be told.
    from core.noise import NoiseEstimate
    from core.noise.logdetector import fit_log_detector, log_detector_of

    pixels = np.rint(np.random.default_rng(11).normal(32768, 3277, (24, 24)))
    estimate = NoiseEstimate.from_pixels(pixels.astype(np.float32))
    nlf = estimate.nlf
    assert nlf.intensities[-1] - nlf.intensities[0] < nlf.sigmas.mean()
    fit = fit_log_detector(nlf)
    assert fit is not None and fit.accepted and fit.counts_at_reference < 1  # absurd
    assert log_detector_of(nlf) is None and estimate.detector is None
