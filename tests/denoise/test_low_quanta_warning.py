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


def test_the_shares_below_5_and_2_quanta_are_those_of_the_pixels():
    quanta = np.full((10, 10), 50.0)
    quanta.flat[:3] = 1.5  # under 2
    quanta.flat[3:10] = 4.0  # 2-5
    quanta.flat[10:20] = 5.1  # just above 5: not counted
    for sign in (1.0, -1.0):  # pixels rising or falling with attenuation
        fit = detector(sign)
        warning = low_quanta_warning(image_of(quanta, fit), [fit])
        assert warning == LowQuantaWarning(0.10, 0.03)
    assert (LOW_QUANTA, VERY_LOW_QUANTA) == (5.0, 2.0)


def test_it_warns_from_one_percent_of_the_anatomy_on():
    fit = detector()
    one = np.full(100, 50.0)
    one[0] = 4.9
    assert low_quanta_warning(image_of(one, fit), [fit]) == LowQuantaWarning(0.01, 0.0)
    assert MIN_SHARE == 0.01
    fewer = np.append(one, 50.0)  # 1 of 101 pixels
    assert low_quanta_warning(image_of(fewer, fit), [fit]) is None
    assert low_quanta_warning(image_of(np.full(100, 5.2), fit), [fit]) is None
    assert low_quanta_warning(image_of(one, fit), [fit], min_share=0.02) is None


def test_padding_is_no_anatomy():
    fit = detector(-1.0)  # padding at pixel value 0 would read as under 5 quanta
    padding = np.zeros((10, 10), dtype=bool)
    padding[:, :5] = True
    quanta = np.full((10, 10), 50.0)
    quanta[0, 5:] = 3.0  # 5 of the 50 anatomy pixels
    image = image_of(quanta, fit, padding)
    assert fit.counts(image.pixels[padding]).max() < LOW_QUANTA
    assert low_quanta_warning(image, [fit]) == LowQuantaWarning(0.10, 0.0)
    nothing_but_padding = image_of(quanta, fit, np.ones((10, 10), dtype=bool))
    assert low_quanta_warning(nothing_but_padding, [fit]) is None


def test_the_reading_with_more_pixels_below_counts():
    fit = detector()
    quanta = np.full(100, 50.0)
    quanta[:4] = 3.0
    image = image_of(quanta, fit)
    fewer = replace(fit, quantum_variance=fit.quantum_variance / 2)  # twice the quanta
    assert low_quanta_warning(image, [fewer]) is None
    assert low_quanta_warning(image, [fewer, fit]) == LowQuantaWarning(0.04, 0.0)
    assert low_quanta_warning(image, [fit, fewer]) == LowQuantaWarning(0.04, 0.0)


def test_without_a_log_detector_there_is_no_warning():
    fit = detector()
    quanta = np.full(100, 1.0)  # every pixel under 2 quanta by `fit`
    image = image_of(quanta, fit)
    assert low_quanta_warning(image, [fit]) is not None
    assert low_quanta_warning(image, []) is None


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
    warning = low_quanta_warning(image, detectors)
    assert (warning is not None) == warned


def test_the_warning_says_the_shares_in_one_line():
    warning = LowQuantaWarning(0.0321, 0.0049)
    text = warning.describe()
    assert "\n" not in text
    assert text.startswith("few quanta: by its noise, 3.2 % of the anatomy detected under 5")
    assert "(0.5 % under 2)" in text and "read low" in text
    assert warning.to_dict() == {
        "share_below_5_quanta": 0.0321,
        "share_below_2_quanta": 0.0049,
        "warning": text,
    }
