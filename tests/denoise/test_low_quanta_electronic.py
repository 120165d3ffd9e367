"""With an electronic noise above the 4 quanta the warning was measured at, pixels of more
than 5 quanta clip as often as 5 quanta do at 4, and their denoised values read low: the
warning counts them, from the clipped readings of the input, no fit.

Measured (``benchmarks/results/2026-11-27-bias-electronic/``, 512 px phantom, seed 0): with
16 quanta of electronic noise at 1000 per unattenuated pixel no pixel detects under 5 quanta,
yet those at 5-10 read 8.9 % low and those at 10-20 3.9 %; at 2000, those at 10-20 5.4 %.
Read with the true detector, the warning said nothing there.
"""

import math

import numpy as np
import pytest

from core.denoise.domain import estimate_image_noise
from core.denoise.low_quanta import (
    CLIPPED_SHARE,
    CLIPPED_WINDOW,
    clipped_nearby,
    clipping_probability,
    low_quanta_warning,
    quanta_detectors,
)
from core.image import StoredMapping, Window, XrayImage
from core.noise import LogDetectorFit, phantom_image

SIDE = 128
SLOPE = 4095 / 7  # pixel values per unit line integral: the phantom's 7 units over 12 bits


def _image(pixels: np.ndarray) -> XrayImage:
    return XrayImage(pixels.astype(np.float32), StoredMapping(12), Window(2048, 4096))


def _true_detector(photons: float, electronic_noise: float) -> LogDetectorFit:
    """The phantom's own log detector: ``photons`` quanta at pixel value 0."""
    quantum = SLOPE**2 / photons
    electronic = (electronic_noise * SLOPE / photons) ** 2
    return LogDetectorFit(SLOPE, 0.0, quantum, electronic, 0.0, 0.01)


def _phantom(
    photons: float, electronic_noise: float, side: int = SIDE
) -> tuple[XrayImage, XrayImage, float]:
    """The noise-free (a perfect denoise) and the noisy phantom, and its share clipping often."""
    clean = phantom_image((side, side), seed=0)
    noisy = phantom_image(
        (side, side), photons_per_pixel=photons, electronic_noise=electronic_noise, seed=0
    )
    quanta = photons * np.exp(-clean.astype(np.float64) / SLOPE)
    floor = max(1.0, photons * math.exp(-7.0))  # the log's, or the stored range's end
    often = clipping_probability(quanta, electronic_noise, floor=floor) >= CLIPPED_SHARE
    assert np.all(quanta >= 5.0) or electronic_noise <= 4.0
    return _image(clean), _image(noisy), float(often.mean())


@pytest.mark.parametrize(
    ("quanta", "electronic_noise", "floor"),
    [
        (20.0, 16.0, 1.0),
        (15.0, 16.0, 1.82),
        (5.0, 4.0, 1.0),
        (3.0, 0.0, 1.0),
        (1.5, 0.5, 1.0),
    ],
)
def test_the_clipping_probability_is_that_of_poisson_quanta_and_gaussian_noise(
    quanta, electronic_noise, floor
):
    rng = np.random.default_rng(0)
    draws = 400_000
    readings = rng.poisson(quanta, draws) + rng.normal(0.0, electronic_noise, draws)
    sampled = np.mean(readings < floor)
    tolerance = 4 * math.sqrt(sampled * (1 - sampled) / draws) + 1e-4
    assert clipping_probability(quanta, electronic_noise, floor=floor) == pytest.approx(
        sampled, abs=tolerance
    )


def test_the_threshold_is_how_often_5_quanta_clip_at_4_of_electronic_noise():
    at_5 = float(clipping_probability(np.array([5.0]), 4.0)[0])
    assert at_5 == pytest.approx(CLIPPED_SHARE, abs=0.005)  # 19.2 %
    assert clipping_probability(np.array([5.0]), 0.5)[0] < 0.05  # fewer clip with less
    assert clipping_probability(np.array([14.0]), 16.0)[0] > CLIPPED_SHARE  # more with more


@pytest.mark.parametrize(("photons", "side"), [(1000.0, SIDE), (2000.0, 2 * SIDE)])
def test_pixels_of_more_than_5_quanta_that_clip_often_are_warned_of(photons, side):
    clean, noisy, truly = _phantom(photons, 16.0, side)
    detector = _true_detector(photons, 16.0)
    assert truly >= 0.01  # 12 % at 1000, 1.6 % at 2000: no pixel under 5 quanta
    warning = low_quanta_warning(clean, noisy, [detector])
    assert warning is not None  # was None: the true detector reads no pixel under 5
    assert warning.share_below_low == 0.0
    assert warning.share_clipped == pytest.approx(truly, abs=0.01)
    assert "detector readings clipped often (19 % or more) in " in warning.describe()
    assert warning.to_dict()["share_clipped"] == warning.share_clipped


def test_at_4_quanta_of_electronic_noise_the_pixels_clipping_often_are_those_under_5():
    clean, noisy, truly = _phantom(500.0, 4.0)
    under_5 = float(np.mean(500.0 * np.exp(-clean.pixels / SLOPE) < 5.0))
    assert truly == pytest.approx(under_5, abs=0.002)  # 3.5 %: the same pixels
    warning = low_quanta_warning(clean, noisy, [_true_detector(500.0, 4.0)])
    assert warning.share_below_low == pytest.approx(under_5)
    assert warning.share_clipped == pytest.approx(truly, abs=0.01)


@pytest.mark.parametrize(("photons", "electronic_noise"), [(2000.0, 4.0), (20_000.0, 16.0)])
def test_where_readings_seldom_clip_there_is_no_warning(photons, electronic_noise):
    clean, noisy, truly = _phantom(photons, electronic_noise)
    assert truly == 0.0
    detector = _true_detector(photons, electronic_noise)
    assert low_quanta_warning(clean, noisy, [detector]) is None


def test_the_clipped_share_is_counted_among_the_anatomy_only():
    pixels = np.full((32, 32), 1000.0)
    pixels[:, :16] = 4095.0  # a saturated half: no anatomy
    pixels[10, 20] = 4095.0  # one clipped reading in the anatomy
    counted = np.zeros((32, 32), dtype=bool)
    counted[:, 16:] = True
    nearby = clipped_nearby(_image(pixels), counted, rising=True)
    assert nearby[10, 20] == pytest.approx(1 / CLIPPED_WINDOW**2)  # not the saturated half
    assert nearby[:, 16:].max() < CLIPPED_SHARE
    falling = clipped_nearby(_image(4095.0 - pixels), counted, rising=False)
    np.testing.assert_allclose(falling, nearby)


def test_a_wire_stored_at_the_extreme_value_is_no_clipped_reading():
    clean, noisy, truly = _phantom(20_000.0, 4.0, 2 * SIDE)
    assert truly == 0.0
    wired = noisy.pixels.copy()
    extreme = wired.max()
    for row in range(20, 2 * SIDE - 20, 24):  # ECG leads across the image, 2 px wide
        wired[row : row + 2, 10:-10] = extreme
    wire_clean = clean.pixels.copy()
    detector = _true_detector(20_000.0, 4.0)
    warning = low_quanta_warning(_image(wire_clean), _image(wired), [detector])
    assert warning is None  # 9 wires: 14 % of the image within 4 px of one


def test_text_burned_in_at_the_extreme_value_is_no_clipped_reading():
    clean, noisy, truly = _phantom(20_000.0, 4.0, 2 * SIDE)
    assert truly == 0.0
    rng = np.random.default_rng(1)
    texted = noisy.pixels.copy()
    extreme = 4095.0  # the stored range's end: 18 quanta behind it at 20,000
    for line in range(4):  # 4 lines of 30 glyphs of 5 x 7 px, half their pixels lit
        for glyph in range(30):
            lit = rng.random((7, 5)) < 0.5
            rows, cols = 40 + 12 * line, 20 + 7 * glyph
            texted[rows : rows + 7, cols : cols + 5][lit] = extreme
    warning = low_quanta_warning(clean, _image(texted), [_true_detector(20_000.0, 4.0)])
    assert warning is None  # the glyphs sit on anatomy of hundreds of quanta


def test_a_display_window_that_clipped_the_densest_pixels_is_no_detector_floor():
    full = phantom_image((512, 512), photons_per_pixel=20_000.0, electronic_noise=4.0, seed=0)
    low, high = np.percentile(full, [1, 90])  # an 8-bit export, its densest tenth clipped
    exported = np.round(np.clip((full - low) / (high - low), 0, 1) * 255).astype(np.float32)
    image = XrayImage(exported, StoredMapping(8), Window(128, 256))
    detectors = quanta_detectors(image, estimate_image_noise(image))
    assert detectors  # a log detector is recognised in the export's noise
    assert float(detectors[0].counts(np.array([255.0]))[0]) > 500  # the clip: many quanta
    warning = low_quanta_warning(image, image, detectors)
    assert warning is None or warning.share_clipped == 0.0


def test_a_warning_from_clipping_alone_quotes_the_bias_measured_by_clipping():
    from core.denoise.low_quanta import LowQuantaWarning

    text = LowQuantaWarning(0.0, 0.0, 0.0, 0.0, 0.016).describe()
    assert text.startswith("detector readings clipped often (19 % or more) in 2 %")
    assert "3-14 % where 20-30 % of the readings clipped" in text
    assert "at 2-5 quanta" not in text  # no pixel was read under 5 quanta
    both = LowQuantaWarning(0.05, 0.01, 0.02, 0.0, 0.03).describe()
    assert "3-10 % at 2-5 quanta, 18 % under 2; 3-14 % where 20-30 %" in both
