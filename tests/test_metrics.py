import json
import math

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from core.io import read_image
from core.metrics import (
    SSIM_MIN_SIDE,
    QualityMetrics,
    Region,
    compare,
    finite_or_none,
    mse,
    noise_free_psnr,
    psnr,
    ssim,
    ssim_size_problem,
)
from core.noise import NoiseEstimate
from core.noise.phantom import phantom_image


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:64, 0:80]
    reference = (2000 + 1000 * np.sin(xx / 9.0) * np.cos(yy / 7.0)).astype(np.float32)
    test = reference + rng.normal(0, 40, reference.shape).astype(np.float32)
    return reference, test


@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.float64])
def test_metrics_match_independent_reference(pair, dtype):
    reference, test = (a.astype(dtype) for a in pair)
    expected_mse = np.mean((reference.astype(np.float64) - test.astype(np.float64)) ** 2)
    assert mse(reference, test) == pytest.approx(expected_mse, rel=1e-12)
    assert psnr(reference, test, data_range=4095) == pytest.approx(
        10 * math.log10(4095**2 / expected_mse), rel=1e-9
    )
    expected_ssim = structural_similarity(
        reference.astype(np.float64),
        test.astype(np.float64),
        data_range=4095,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    assert ssim(reference, test, data_range=4095) == pytest.approx(expected_ssim, rel=1e-12)


def test_psnr_agrees_with_scikit_image(pair):
    reference, test = pair
    expected = peak_signal_noise_ratio(
        reference.astype(np.float64), test.astype(np.float64), data_range=4095
    )
    assert psnr(reference, test, data_range=4095) == pytest.approx(expected)


def test_data_range_changes_psnr_by_the_expected_amount(pair):
    reference, test = pair
    gap = psnr(reference, test, data_range=65535) - psnr(reference, test, data_range=4095)
    assert gap == pytest.approx(20 * math.log10(65535 / 4095))


def test_identical_images_give_infinite_psnr_and_unit_ssim(pair):
    reference, _ = pair
    result = compare(reference, reference.copy(), data_range=4095)
    assert result.mse == 0.0
    assert math.isinf(result.psnr)
    assert result.ssim == pytest.approx(1.0)
    assert result.to_dict()["psnr"] is None
    json.dumps(result.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(41.5, 41.5), (0.0, 0.0), (math.inf, None), (-math.inf, None), (math.nan, None), (None, None)],
)
def test_finite_or_none_keeps_only_finite_values(value, expected):
    assert finite_or_none(value) == expected


def test_region_restricts_every_metric(pair):
    reference, test = pair
    test = test.copy()
    test[:, 40:] = reference[:, 40:]  # right half perfect
    region = Region(row=0, col=40, height=64, width=40)
    result = compare(reference, test, data_range=4095, region=region)
    assert result.mse == 0.0
    assert result.region == region
    assert result.to_dict()["region"] == "0,40,64,40"
    whole = compare(reference, test, data_range=4095)
    assert whole.mse > 0


def test_result_records_data_range(pair):
    result = compare(*pair, data_range=255.0)
    assert isinstance(result, QualityMetrics)
    assert result.to_dict()["data_range"] == 255.0


@pytest.mark.parametrize(
    ("reference_shape", "test_shape", "data_range", "message"),
    [
        ((8, 8), (8, 9), 1.0, "differ in size"),
        ((8, 8), (8, 8), 0.0, "^the data range must be a positive number, got 0$"),
        ((8, 8), (8, 8), float("nan"), "^the data range must be a positive number, got nan$"),
        ((2, 8, 8), (2, 8, 8), 1.0, "2-D"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    reference_shape, test_shape, data_range, message
):
    with pytest.raises(ValueError, match=message):
        compare(np.zeros(reference_shape), np.ones(test_shape), data_range=data_range)


def test_region_parsing_and_bounds():
    assert Region.parse("1,2,30,40") == Region(1, 2, 30, 40)
    with pytest.raises(ValueError, match="four integers"):
        Region.parse("1,2,3")
    with pytest.raises(ValueError, match="invalid"):
        Region(0, 0, 0, 5)
    with pytest.raises(ValueError, match="does not fit"):
        Region(0, 0, 100, 5).crop(np.zeros((10, 10)))


def test_noise_free_psnr_is_the_psnr_of_the_references_own_noise():
    ramp = np.tile(np.linspace(100.0, 900.0, 80), (60, 1))
    ramp[0, 0], ramp[-1, -1] = 0.0, 1000.0  # the range's ends: clipped, no noise
    sigma = lambda values: np.full(np.shape(values), 5.0)  # noqa: E731
    share = (ramp.size - 2) / ramp.size
    expected = 10 * math.log10(1000.0**2 / (25.0 * share))
    assert noise_free_psnr(ramp, sigma, data_range=1000.0) == pytest.approx(expected)
    region = Region(10, 10, 20, 30)
    inside = 10 * math.log10(1000.0**2 / 25.0)
    assert noise_free_psnr(ramp, sigma, data_range=1000.0, region=region) == pytest.approx(inside)
    none = lambda values: np.zeros(np.shape(values))  # noqa: E731
    assert noise_free_psnr(ramp, none, data_range=1000.0) == math.inf


def test_noise_free_psnr_of_a_phantom_matches_its_true_noise():
    # A log detector's noise, estimated from the noisy phantom alone, against the
    # MSE between it and the noise-free phantom.
    clean = phantom_image((384, 384), seed=2).astype(np.float64)
    noisy = phantom_image((384, 384), photons_per_pixel=20000, seed=2).astype(np.float64)
    true = psnr(noisy, clean, data_range=4095.0)
    estimate = NoiseEstimate.from_pixels(noisy)
    assert noise_free_psnr(noisy, estimate.sigma_at, data_range=4095.0) == pytest.approx(
        true, abs=0.4
    )


def test_ssim_window_is_the_smallest_side_scikit_image_accepts():
    # The Gaussian window of sigma 1.5 spans 11 x 11 pixels: scikit-image takes 11, not 10.
    assert SSIM_MIN_SIDE == 11
    rng = np.random.default_rng(0)
    fits = rng.random((2, SSIM_MIN_SIDE, SSIM_MIN_SIDE))
    expected = structural_similarity(
        *fits, data_range=1.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    assert ssim(*fits, data_range=1.0) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="win_size"):
        structural_similarity(*fits[:, 1:, 1:], data_range=1.0, gaussian_weights=True, sigma=1.5)


@pytest.mark.parametrize(("shape", "size"), [((10, 10), "10 x 10"), ((8, 40), "40 x 8")])
def test_ssim_refuses_an_image_smaller_than_its_window_in_words(shape, size):
    zeros = np.zeros(shape)
    with pytest.raises(ValueError) as caught:
        ssim(zeros, zeros, data_range=1.0)
    message = str(caught.value)
    assert message == f"SSIM needs at least 11 x 11 pixels; the image is {size}"
    assert "\n" not in message and "win_size" not in message
    assert ssim_size_problem(shape) == message
    assert ssim_size_problem((11, 11)) is None


def test_a_small_image_still_gets_mse_and_psnr_without_ssim():
    # pydicom's 10 x 10 dose grid, the image a reviewer met the raw scikit-image message on.
    from pydicom.data import get_testdata_file

    reference = read_image(get_testdata_file("rtdose.dcm")).pixels.astype(np.float64)
    assert reference.shape == (10, 10)
    test = reference + 1.0
    result = compare(reference, test, data_range=1000.0)
    assert result.mse == pytest.approx(1.0)
    assert result.psnr == pytest.approx(60.0)
    assert math.isnan(result.ssim)
    assert result.ssim_problem == "SSIM needs at least 11 x 11 pixels; the image is 10 x 10"
    values = result.to_dict()
    assert values["ssim"] is None and values["ssim_problem"] == result.ssim_problem
    json.dumps(values, allow_nan=False)
    assert compare(*np.zeros((2, 11, 11)), data_range=1.0).ssim_problem is None


def test_a_region_too_small_for_ssim_is_refused_in_one_line(pair):
    with pytest.raises(ValueError) as caught:
        compare(*pair, data_range=4095, region=Region(0, 0, 9, 20))
    message = str(caught.value)
    assert message == (
        "SSIM needs at least 11 x 11 pixels; the region 0,0,9,20 is 20 x 9; choose a larger region"
    )
    assert "\n" not in message


def test_padding_is_left_out_of_every_metric():
    rng = np.random.default_rng(3)
    reference = rng.uniform(100, 200, (40, 40))
    test = reference + rng.normal(0, 2, reference.shape)
    padding = np.zeros(reference.shape, bool)
    padding[:, :10] = True
    reference[0, :2] = 50, 250  # the extremes (counted as clipped, noise-free) in the padding
    test[padding] = reference[padding] + 500  # a big error where only padding is
    result = compare(reference, test, data_range=255, exclude=padding)
    kept = ~padding
    assert result.mse == pytest.approx(np.mean((reference[kept] - test[kept]) ** 2))
    assert result.psnr == pytest.approx(10 * np.log10(255**2 / result.mse))
    _, full = structural_similarity(
        reference,
        test,
        data_range=255,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        full=True,
    )
    # Only windows clear of the padding count: 5 px in from the image's edge (as scikit-image
    # leaves out the 5 px its window overhangs) and 5 px in from the padding (columns :10).
    assert result.ssim == pytest.approx(full[5:-5, 15:-5].mean())
    assert result.excluded == 400 and result.to_dict()["excluded"] == 400
    assert compare(reference, test, data_range=255).mse > 100 * result.mse
    region = Region(0, 5, 20, 20)
    in_region = compare(reference, test, data_range=255, region=region, exclude=padding)
    assert in_region.excluded == 100
    floor = noise_free_psnr(
        reference, lambda p: np.full(p.shape, 2.0), data_range=255, exclude=padding
    )
    assert floor == pytest.approx(10 * np.log10(255**2 / 4))


def test_a_scope_of_padding_only_is_refused():
    padding = np.zeros((30, 30), bool)
    padding[:, :15] = True
    image = np.ones((30, 30))
    with pytest.raises(ValueError, match="holds only padding"):
        compare(image, image, data_range=1, region=Region(0, 0, 20, 15), exclude=padding)
    with pytest.raises(ValueError, match="exclude has shape"):
        compare(image, image, data_range=1, exclude=padding[:20])
