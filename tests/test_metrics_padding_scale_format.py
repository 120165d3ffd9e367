"""SSIM beside padding, the data range's limits, the scale check and the shared number formats."""

import math

import numpy as np
import pytest
from PIL import Image
from skimage.metrics import structural_similarity

from core.io import read_image
from core.metrics import (
    compare,
    format_mse,
    format_psnr,
    format_ssim,
    psnr,
    scale_mismatch,
)


def _padded_pair(size=96, border=16, seed=1):
    """A 12-bit anatomy inside `border` pixels of zero padding, and a noisy copy of it."""
    rng = np.random.default_rng(seed)
    inner = size - 2 * border
    anatomy = 1500 + 800 * np.tile(np.linspace(0, 1, inner), (inner, 1))
    reference, test = np.zeros((2, size, size))
    reference[border:-border, border:-border] = anatomy
    test[border:-border, border:-border] = anatomy + rng.normal(0, 40, anatomy.shape)
    padding = np.ones((size, size), bool)
    padding[border:-border, border:-border] = False
    return reference, test, padding


def _skimage_ssim(reference, test, data_range):
    return structural_similarity(
        reference,
        test,
        data_range=data_range,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )


def test_ssim_beside_padding_is_that_of_the_anatomy_alone():
    # Windows that reach into the padding saw the same step in both images: 0.931 for 0.910.
    reference, test, padding = _padded_pair()
    result = compare(reference, test, data_range=4095, exclude=padding)
    crop = np.s_[16:-16, 16:-16]
    assert result.ssim == pytest.approx(_skimage_ssim(reference[crop], test[crop], 4095), abs=1e-9)
    assert result.ssim_problem is None and result.excluded == int(padding.sum())


def test_an_anatomy_with_no_window_clear_of_padding_has_ssim_unknown_and_says_why():
    reference, test, padding = _padded_pair(size=40, border=15)  # 10 x 10 anatomy
    result = compare(reference, test, data_range=4095, exclude=padding)
    assert math.isnan(result.ssim) and math.isfinite(result.psnr)
    assert result.ssim_problem == (
        "SSIM needs an 11 x 11 window clear of padding; the image has none"
    )
    assert result.to_dict()["ssim"] is None


@pytest.mark.parametrize("data_range", [1e-300, 1e200])
def test_a_data_range_whose_square_is_no_usable_number_is_refused(data_range):
    reference = np.arange(144.0).reshape(12, 12)
    with pytest.raises(ValueError, match=r"^the data range .* is out of reach") as caught:
        compare(reference, reference + 1, data_range=data_range)
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match="out of reach"):
        psnr(reference, reference + 1, data_range=data_range)


def test_the_scale_check_names_both_scales(tmp_path):
    picture = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    Image.fromarray(picture).save(tmp_path / "eight.png")
    Image.fromarray(picture.astype(np.uint16) * 257).save(tmp_path / "sixteen.png")
    eight, sixteen = read_image(tmp_path / "eight.png"), read_image(tmp_path / "sixteen.png")
    assert scale_mismatch(eight, sixteen) == (
        "its values are on another scale than the reference's "
        "(16-bit stored values, MONOCHROME2 against 8-bit stored values, MONOCHROME2); "
        "they are compared as they are"
    )
    assert scale_mismatch(eight, eight) is None


@pytest.mark.parametrize(
    ("value", "psnr_text", "ssim_text"),
    [
        (9.876, "9.88", "9.8760"),
        (0.05432, "0.05", "0.0543"),
        (-0.012345, "-0.01", "-0.0123"),
        (math.inf, "inf", "inf"),
        (math.nan, "-", "-"),
        (None, "-", "-"),
    ],
)
def test_psnr_and_ssim_have_one_format(value, psnr_text, ssim_text):
    assert format_psnr(value) == psnr_text
    assert format_ssim(value) == ssim_text


def test_mse_has_four_significant_digits_and_no_exponent_from_ten_thousand():
    assert format_mse(2233456.7) == "2233000" and format_mse(19436.2) == "19440"
    assert format_mse(606.91) == "606.9" and format_mse(9999.4) == "9999"
    assert format_mse(1.2345e-5) == "1.234e-05"  # images on [0, 1]
    assert format_mse(math.inf) == "inf"


def test_an_infinite_psnr_is_flagged_in_plain_values():
    reference = np.arange(144.0).reshape(12, 12)
    identical = compare(reference, reference, data_range=255).to_dict()
    assert identical["psnr"] is None and identical["psnr_infinite"] is True
    differing = compare(reference, reference + 1, data_range=255).to_dict()
    assert differing["psnr"] is not None and differing["psnr_infinite"] is False
