import math

import numpy as np
import pytest

from core.noise import (
    DetectorModel,
    NoiseLevelFunction,
    bin_count_for,
    chest_phantom,
    estimate_noise_level_function,
    estimate_noise_sigma,
    phantom_image,
    simulate_low_dose,
)


@pytest.fixture(scope="module")
def anatomy():
    """Line integrals of the chest phantom: smooth regions, edges, ribs and vessels."""
    return chest_phantom((768, 768), seed=0)


def poisson_gaussian(mean, a, b, rng):
    """z = a * Poisson(mean / a) + N(0, b): Var(z) = a * mean + b."""
    return a * rng.poisson(mean / a) + rng.normal(0.0, math.sqrt(b), np.shape(mean))


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        (1.0, 0.0, 5.0, 200.0),  # pure Poisson, low counts
        (0.5, 4.0, 20.0, 1000.0),
        (2.0, 25.0, 100.0, 3000.0),  # Gaussian-dominated at the dark end
        (0.05, 0.01, 0.5, 3.0),  # small float scale
    ],
)
def test_nlf_of_poisson_gaussian_noise_is_within_15_percent(anatomy, a, b, low, high):
    rng = np.random.default_rng(10)
    mean = low + (high - low) * anatomy / anatomy.max()
    nlf = estimate_noise_level_function(poisson_gaussian(mean, a, b, rng))
    truth = np.sqrt(a * nlf.intensities + b)
    assert nlf.intensities.size >= 8
    assert nlf.intensities[0] < low + 0.2 * (high - low)
    assert nlf.intensities[-1] > low + 0.8 * (high - low)
    assert np.all(nlf.counts >= 400)
    np.testing.assert_allclose(nlf.sigmas, truth, rtol=0.15)
    fitted_a, fitted_b = nlf.poisson_gaussian
    assert fitted_a == pytest.approx(a, rel=0.1)
    np.testing.assert_allclose(nlf.poisson_gaussian_sigma(nlf.intensities), truth, rtol=0.1)


@pytest.mark.parametrize("dose", [0.5, 0.1, 0.025])
def test_nlf_of_simulated_low_dose_radiograph_is_within_15_percent(dose):
    detector = DetectorModel.from_range(0.0, 4095.0)
    clean = phantom_image((768, 768), seed=0).astype(np.float64)
    noisy = simulate_low_dose(
        clean, dose=dose, detector=detector, rng=np.random.default_rng(11), input_is_noisy=False
    )
    nlf = estimate_noise_level_function(noisy)
    # Independent truth: first-order delta method through the log detector.
    lam = dose * detector.photons_per_pixel * np.exp(-detector.line_integral(nlf.intensities))
    s = detector.electronic_noise
    truth = detector.value_per_attenuation * np.sqrt(1 / lam + s**2 / lam**2)
    assert nlf.intensities.size >= 8
    assert detector.line_integral(nlf.intensities[-1]) > 4.0
    np.testing.assert_allclose(nlf.sigmas, truth, rtol=0.15)


def test_nlf_ignores_saturated_and_padded_areas(anatomy):
    rng = np.random.default_rng(12)
    mean = 50.0 + 500.0 * anatomy / anatomy.max()
    noisy = poisson_gaussian(mean, 1.0, 4.0, rng)
    noisy[:, :200] = 0.0  # padding
    noisy[600:700, 300:500] = 300.0  # a blanked mask
    noisy = np.minimum(noisy, 450.0)  # saturation of the brightest parts
    nlf = estimate_noise_level_function(noisy)
    np.testing.assert_allclose(nlf.sigmas, np.sqrt(nlf.intensities + 4.0), rtol=0.15)


def donoho_sigma(image):
    """Median absolute finest diagonal Haar coefficient / 0.6745 (Donoho and Johnstone 1994)."""
    diagonal = (image[0::2, 0::2] - image[0::2, 1::2] - image[1::2, 0::2] + image[1::2, 1::2]) / 2
    return float(np.median(np.abs(diagonal)) / 0.6744897501960817)


def smooth_image():
    yy, xx = np.mgrid[0:512, 0:512] / 512.0
    return 0.5 + 0.3 * np.sin(3 * xx) * np.cos(2 * yy)


def textured_image(anatomy):
    """Chest phantom plus sharp-edged discs and a patch of fine texture."""
    image = anatomy[::1, ::1][:512, :512] / anatomy.max()
    yy, xx = np.mgrid[0:512, 0:512]
    rng = np.random.default_rng(13)
    for _ in range(30):
        cy, cx, r = rng.uniform(0, 512), rng.uniform(0, 512), rng.uniform(5, 30)
        image = image + rng.uniform(-0.3, 0.3) * (np.hypot(yy - cy, xx - cx) < r)
    patch = (slice(300, 450), slice(50, 300))
    image[patch] += 0.1 * np.sin(xx[patch] * 1.3) * np.sin(yy[patch] * 0.9 + xx[patch] * 0.4)
    return image


@pytest.mark.parametrize("sigma", [0.003, 0.01, 0.03])
def test_global_sigma_of_gaussian_noise_on_a_smooth_image(sigma):
    rng = np.random.default_rng(14)
    noisy = smooth_image() + rng.normal(0, sigma, (512, 512))
    assert estimate_noise_sigma(noisy) == pytest.approx(sigma, rel=0.1)
    assert donoho_sigma(noisy) == pytest.approx(sigma, rel=0.1)  # the reference agrees here


@pytest.mark.parametrize("sigma", [0.003, 0.01, 0.03])
def test_global_sigma_is_robust_to_edges_and_texture(anatomy, sigma):
    rng = np.random.default_rng(15)
    noisy = textured_image(anatomy) + rng.normal(0, sigma, (512, 512))
    assert estimate_noise_sigma(noisy) == pytest.approx(sigma, rel=0.1)


def test_global_sigma_beats_plain_wavelet_mad_on_structure(anatomy):
    rng = np.random.default_rng(16)
    sigma = 0.003
    noisy = textured_image(anatomy) + rng.normal(0, sigma, (512, 512))
    assert abs(estimate_noise_sigma(noisy) / sigma - 1) < abs(donoho_sigma(noisy) / sigma - 1)


def test_integer_images_are_accepted():
    rng = np.random.default_rng(17)
    noisy = np.rint(1000 + 400 * smooth_image() + rng.normal(0, 8, (512, 512))).astype(np.uint16)
    # Rounding adds 1/12 of a unit squared.
    assert estimate_noise_sigma(noisy) == pytest.approx(math.sqrt(64 + 1 / 12), rel=0.1)


def test_nlf_interpolates_monotonically_and_is_flat_beyond_the_bins():
    nlf = NoiseLevelFunction([1.0, 2.0, 4.0], [1.0, 2.0, 2.5], [500, 500, 500])
    np.testing.assert_allclose(nlf([0.0, 1.0, 2.0, 4.0, 9.0]), [1.0, 1.0, 2.0, 2.5, 2.5])
    grid = np.linspace(1, 4, 301)
    assert np.all(np.diff(nlf(grid)) >= 0)
    assert np.all((nlf(grid) >= 1.0 - 1e-12) & (nlf(grid) <= 2.5 + 1e-12))
    assert nlf.derivative(np.array([0.5, 5.0])).tolist() == [0.0, 0.0]
    step = 1e-6
    np.testing.assert_allclose(
        nlf.derivative(grid[1:-1]),
        (nlf(grid[1:-1] + step) - nlf(grid[1:-1] - step)) / (2 * step),
        rtol=1e-4,
        atol=1e-6,
    )
    single = NoiseLevelFunction([3.0], [0.5], [100])
    np.testing.assert_array_equal(single(np.array([0.0, 10.0])), [0.5, 0.5])
    with pytest.raises(ValueError, match="no Poisson-Gaussian fit"):
        single.poisson_gaussian_sigma(1.0)


def test_nlf_arrays_are_read_only():
    nlf = NoiseLevelFunction([1.0, 2.0], [1.0, 2.0], [500, 500])
    with pytest.raises(ValueError, match="read-only"):
        nlf.sigmas[0] = 3.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(intensities=[2.0, 1.0], sigmas=[1.0, 1.0], counts=[1, 1]), "increasing"),
        (dict(intensities=[1.0, 2.0], sigmas=[1.0, -1.0], counts=[1, 1]), ">= 0"),
        (dict(intensities=[1.0, 2.0], sigmas=[1.0], counts=[1, 1]), "same length"),
        (dict(intensities=[], sigmas=[], counts=[]), "non-empty"),
    ],
)
def test_bad_nlf_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NoiseLevelFunction(**kwargs)


def test_bad_images_are_refused():
    with pytest.raises(ValueError, match="2-D"):
        estimate_noise_sigma(np.zeros(100))
    with pytest.raises(ValueError, match="NaN"):
        estimate_noise_sigma(np.full((20, 20), np.nan))
    with pytest.raises(ValueError, match="n_bins"):
        estimate_noise_level_function(np.zeros((30, 30)), n_bins=0)


def refusal(function, pixels, **kwargs) -> str:
    """The message of the ValueError ``function(pixels)`` raises, checked to be one line."""
    with pytest.raises(ValueError) as caught:
        function(pixels, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and "min_count" not in message and "=" not in message
    return message


def test_images_whose_noise_cannot_be_measured_are_refused_in_words():
    rng = np.random.default_rng(0)
    assert refusal(estimate_noise_sigma, np.zeros((5, 100))) == (
        "the image is too small (100 x 5 pixels): measuring its noise needs at least 9 x 9"
    )
    assert refusal(estimate_noise_sigma, np.full((64, 64), 1000, np.uint16)) == (
        "the image is constant (every pixel is 1000), so it has no smooth unclipped areas "
        "to measure noise in"
    )
    assert refusal(estimate_noise_sigma, np.full((64, 64), 0.5)).startswith(
        "the image is constant (every pixel is 0.5)"
    )
    # 10 x 10 pixels hold 9 blocks of 3 x 3: never enough, whatever their content.
    assert refusal(estimate_noise_sigma, rng.normal(size=(10, 10))) == (
        "the image is too small (10 x 10 pixels): measuring its noise needs 10 smooth "
        "unclipped blocks of 3 x 3 pixels, and it holds only 9"
    )
    assert refusal(estimate_noise_level_function, rng.normal(size=(30, 30))) == (
        "the image is too small (30 x 30 pixels): measuring its noise needs 1000 smooth "
        "unclipped blocks of 3 x 3 pixels, and it holds only 100"
    )
    # Mostly clipped: noise in a 9 x 9 corner only (9 blocks, 1 with the maximum).
    clipped = np.zeros((60, 60))
    clipped[:9, :9] = 100 + rng.normal(0, 5, (9, 9))
    assert refusal(estimate_noise_sigma, clipped) == (
        "the image has too few smooth unclipped areas to measure its noise in: 8 of its 400 "
        "blocks of 3 x 3 pixels vary without reaching the image's lowest or highest value, "
        "and 10 are needed"
    )


def test_bins_hold_1000_blocks_fewer_on_small_images_never_under_10():
    assert bin_count_for((2048, 2048)) == 1000
    assert bin_count_for((300, 300)) == (100 * 100) // 16
    assert bin_count_for((20, 20)) == 10


@pytest.mark.parametrize("padding", [0.0, 0.6, 1.0])  # the minimum, inside the range, the maximum
def test_global_sigma_ignores_a_large_constant_padding_border(padding):
    # DICOM Pixel Padding: a third of the image at one value, which need not be an extreme.
    rng = np.random.default_rng(23)
    noisy = smooth_image() + rng.normal(0, 0.01, (512, 512))
    padded = noisy.copy()
    padded[:, :170] = padded[:40, :] = padding
    assert estimate_noise_sigma(padded) == pytest.approx(estimate_noise_sigma(noisy), rel=0.05)


@pytest.mark.parametrize("sigma", [1.1, 1.3, 1.6])
@pytest.mark.parametrize(("slope", "intercept"), [(1.0, 0.0), (0.25, -100.0)])
def test_noise_of_quantised_images_is_not_snapped_to_the_grid_of_the_coefficients(
    anatomy, sigma, slope, intercept
):
    # Integer pixels give detail coefficients on a grid of 1/6: a plain median snapped
    # every estimate to multiples of 1.4826 / 6 (1.2355 for both 1.1 and 1.3, the same
    # for every seed). The truth includes the rounding's own variance, 1/12.
    clean = anatomy / anatomy.max() * 200.0
    truth = math.sqrt(sigma**2 + 1 / 12) * slope
    estimates = []
    for seed in range(3):
        noise = np.random.default_rng(seed).normal(0.0, sigma, clean.shape)
        stored = np.clip(np.rint(clean + noise), 0, 255)
        estimates.append(estimate_noise_sigma(stored * slope + intercept))
    np.testing.assert_allclose(estimates, truth, rtol=0.03)
    assert len(set(estimates)) == 3


def test_the_estimate_does_not_depend_on_the_bands_it_is_taken_in(monkeypatch):
    rng = np.random.default_rng(4)
    yy, xx = np.mgrid[0:401, 0:302]
    pixels = 2000 + 800 * np.sin(xx / 40) * np.cos(yy / 30) + rng.normal(0, 15, xx.shape)
    pixels = pixels.astype(np.float32)
    whole = estimate_noise_level_function(pixels)
    monkeypatch.setattr("core.noise.estimate.BLOCK_ROWS_AT_ONCE", 7)  # 133 rows of blocks: 19 bands
    banded = estimate_noise_level_function(pixels)
    np.testing.assert_array_equal(banded.intensities, whole.intensities)
    np.testing.assert_array_equal(banded.sigmas, whole.sigmas)
