"""The warning that much of the anatomy detected so few quanta that denoised values read low.

Images are made of known quanta through a known log detector, so every share is exact.
"""

from dataclasses import replace

import numpy as np
import pytest

from core.denoise import estimate_image_noise
from core.denoise.low_quanta import (
    LOW_QUANTA,
    MIN_SHARE,
    VERY_LOW_QUANTA,
    LowQuantaWarning,
    low_quanta_warning,
    quanta_detectors,
)
from core.image import Padding, StoredMapping, Window, XrayImage
from core.noise import LogDetectorFit, phantom_image

SLOPE = 4095 / 7  # the phantom's pixel values per unit line integral


def detector(sign: float = 1.0) -> LogDetectorFit:
    """100 quanta at pixel value 2000, pixels rising with attenuation (or falling)."""
    slope = sign * SLOPE
    return LogDetectorFit(slope, 2000.0, slope**2 / 100.0, 0.0, 0.01, 0.01)


def image_of(quanta, fit: LogDetectorFit, padding: np.ndarray | None = None) -> XrayImage:
    """A 12-bit image (one row if 1-D) holding ``quanta`` through ``fit``; padding at 0."""
    pixels = fit.values(np.atleast_2d(np.asarray(quanta, dtype=np.float64))).astype(np.float32)
    pad = None
    if padding is not None:
        pixels[padding] = 0.0
        pad = Padding(0, 0, padding, np.zeros(int(padding.sum()), dtype=np.int64))
    return XrayImage(pixels, StoredMapping(12), Window(2048, 4096), padding=pad)


def noisy_of(image: XrayImage) -> XrayImage:
    """The image with a ramp of 0.001 added: an input whose lowest and highest value are one
    pixel each, so that nothing is saturated."""
    ramp = 1e-3 * np.arange(image.pixels.size, dtype=np.float32).reshape(image.shape)
    return image.with_pixels(image.pixels + ramp)


def read(image: XrayImage, detectors, **options):
    """The warning on ``image`` as denoised from an unsaturated input."""
    return low_quanta_warning(image, noisy_of(image), detectors, **options)


def test_the_shares_below_5_and_2_quanta_are_those_of_the_pixels():
    quanta = np.full((10, 10), 50.0)
    quanta.flat[:3] = 1.5  # under 2
    quanta.flat[3:10] = 4.0  # 2-5
    quanta.flat[10:20] = 5.1  # just above 5: not counted
    for sign in (1.0, -1.0):  # pixels rising or falling with attenuation
        fit = detector(sign)
        warning = read(image_of(quanta, fit), [fit])
        assert warning == LowQuantaWarning(0.10, 0.03, 0.10, 0.03)
    assert (LOW_QUANTA, VERY_LOW_QUANTA) == (5.0, 2.0)


def test_it_warns_from_one_percent_of_the_anatomy_on():
    fit = detector()
    one = np.full(100, 50.0)
    one[0] = 4.9
    assert read(image_of(one, fit), [fit]) == LowQuantaWarning(0.01, 0.0, 0.01, 0.0)
    assert MIN_SHARE == 0.01
    fewer = np.append(one, 50.0)  # 1 of 101 pixels
    assert read(image_of(fewer, fit), [fit]) is None
    assert read(image_of(np.full(100, 5.2), fit), [fit]) is None
    assert read(image_of(one, fit), [fit], min_share=0.02) is None


def test_padding_is_no_anatomy():
    fit = detector(-1.0)  # padding at pixel value 0 would read as under 5 quanta
    padding = np.zeros((10, 10), dtype=bool)
    padding[:, :5] = True
    quanta = np.full((10, 10), 50.0)
    quanta[0, 5:] = 3.0  # 5 of the 50 anatomy pixels
    image = image_of(quanta, fit, padding)
    assert fit.counts(image.pixels[padding]).max() < LOW_QUANTA
    assert read(image, [fit]) == LowQuantaWarning(0.10, 0.0, 0.10, 0.0)
    nothing_but_padding = image_of(quanta, fit, np.ones((10, 10), dtype=bool))
    assert read(nothing_but_padding, [fit]) is None


def test_the_larger_reading_warns_and_the_smaller_bounds_the_range():
    fit = detector()
    quanta = np.full(100, 50.0)
    quanta[:4] = 3.0
    quanta[4:6] = 1.5
    image = image_of(quanta, fit)
    fewer = replace(fit, quantum_variance=fit.quantum_variance / 2)  # twice the quanta
    assert read(image, [fewer]) == LowQuantaWarning(0.02, 0.0, 0.02, 0.0)  # the 1.5 only
    expected = LowQuantaWarning(0.06, 0.02, 0.02, 0.0)
    assert read(image, [fewer, fit]) == expected == read(image, [fit, fewer])
    assert read(image, [fewer, fit], min_share=0.05) == expected
    assert read(image, [fewer], min_share=0.05) is None


def test_without_a_log_detector_there_is_no_warning():
    fit = detector()
    quanta = np.full(100, 1.0)  # every pixel under 2 quanta by `fit`
    image = image_of(quanta, fit)
    assert read(image, [fit]) is not None
    assert read(image, []) is None


def test_signal_independent_noise_has_no_detector_to_read_quanta_with():
    rng = np.random.default_rng(0)
    _, xx = np.mgrid[0:128, 0:128]
    pixels = (500 + 25 * xx + rng.normal(0, 20, xx.shape)).astype(np.float32)
    image = XrayImage(pixels, StoredMapping(12), Window(2048, 4096))
    noise = estimate_image_noise(image)
    assert noise.detector is None
    assert quanta_detectors(image, noise) == ()
    with_fit = replace(noise, detector=detector())
    assert quanta_detectors(image, with_fit)[0] == detector()


@pytest.mark.parametrize(("photons", "warned"), [(200, True), (5000, False)])
def test_a_phantom_is_read_with_the_denoises_detector_and_one_at_the_assumed_noise(photons, warned):
    stored = phantom_image((96, 96), photons_per_pixel=photons, seed=1)
    image = XrayImage(stored.astype(np.float32), StoredMapping(12), Window(2048, 4096))
    noise = estimate_image_noise(image)
    detectors = quanta_detectors(image, noise)
    assert len(detectors) == 2 and detectors[0] is noise.detector
    assert detectors[1].electronic_noise == pytest.approx(4.0)
    warning = low_quanta_warning(image, image, detectors)
    assert (warning is not None) == warned


def test_the_warning_says_the_range_of_shares_in_one_line():
    warning = LowQuantaWarning(0.255, 0.0049, 0.016, 0.0)
    text = warning.describe()
    assert "\n" not in text
    assert text == (
        "under 5 X-ray quanta per pixel in about 2-26 % of the image (read from its noise; "
        "can be several times off): denoised values there read low (on phantoms 3-10 % at "
        "2-5 quanta, 18 % under 2)"
    )
    assert warning.to_dict() == {
        "share_below_5_quanta": 0.255,
        "share_below_2_quanta": 0.0049,
        "share_below_5_quanta_min": 0.016,
        "share_below_2_quanta_min": 0.0,
        "share_clipped": 0.0,
        "warning": text,
    }


@pytest.mark.parametrize(
    ("smaller", "larger", "said"),
    [
        (0.016, 0.255, "about 2-26 %"),  # whole percent, no 0.1 % false precision
        (0.0, 0.032, "about 0-3 %"),
        (0.0034, 0.0321, "about 0.3-3 %"),  # one digit below 1 %
        (0.0003, 0.237, "about 0.03-24 %"),
        (0.031, 0.034, "about 3 %"),  # both read the same
    ],
)
def test_shares_are_said_in_whole_percent_or_one_digit_below_one(smaller, larger, said):
    assert f" {said} of the image " in LowQuantaWarning(larger, 0.0, smaller, 0.0).describe()
