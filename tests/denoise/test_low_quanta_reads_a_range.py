"""The low-quanta warning gives the range between its two readings of the quanta, and takes
the second (a fit at the assumed electronic noise) only where the denoise would use it.

With an electronic noise far above the 4 quanta assumed, the fit at 4 puts a quarter of a
noise-free phantom under 5 quanta, where none is; the denoise's own fit, whose electronic
noise is free, puts 2 % there. One number, the larger, told the user 25.5 %.
"""

from dataclasses import replace

import numpy as np

from core.denoise import estimate_image_noise
from core.denoise.low_quanta import low_quanta_warning, quanta_detectors
from core.image import StoredMapping, Window, XrayImage
from core.noise import LogDetectorFit, fit_log_detector, phantom_image
from core.noise.dose import quantum_noise_levels
from core.noise.value_range import value_range


def _image(pixels: np.ndarray) -> XrayImage:
    return XrayImage(pixels.astype(np.float32), StoredMapping(12), Window(2048, 4096))


def test_a_large_electronic_noise_is_told_as_the_range_of_both_readings():
    size = 384
    clean = _image(phantom_image((size, size), seed=0))  # a perfect denoise
    noisy = _image(phantom_image((size, size), photons_per_pixel=1000, electronic_noise=16))
    assert np.mean(1000 * np.exp(-7 * clean.pixels / 4095) < 5) == 0  # truly none under 5
    free, fixed = quanta_detectors(noisy, estimate_image_noise(noisy))
    by_free, by_fixed = (
        low_quanta_warning(clean, noisy, [detector], min_share=0) for detector in (free, fixed)
    )
    assert by_free.share_below_low < 0.05 and by_fixed.share_below_low > 0.2
    warning = low_quanta_warning(clean, noisy, [free, fixed])
    assert warning.share_below_low == by_fixed.share_below_low  # the larger warns
    assert warning.share_below_low_min == by_free.share_below_low
    assert warning.share_below_very_low == by_fixed.share_below_very_low
    assert warning.share_below_very_low_min == by_free.share_below_very_low
    low, high = (
        round(100 * share) for share in (by_free.share_below_low, by_fixed.share_below_low)
    )
    assert f"in about {low}-{high} % of the image" in warning.describe()


def test_a_fit_at_the_assumed_noise_that_the_denoise_would_not_use_is_no_reading():
    rng = np.random.default_rng(0)
    _, xx = np.mgrid[0:128, 0:128]
    image = _image(500 + 25 * xx + rng.normal(0, 20, xx.shape))  # noise of no detector
    noise = estimate_image_noise(image)
    slope = 4095 / 7
    given = LogDetectorFit(slope, 2000.0, slope**2 / 100.0, 0.0, 0.01, 0.01)
    fixed = fit_log_detector(quantum_noise_levels(image, noise.nlf), electronic_noise=4.0, sign=1)
    assert fixed.accepted and fixed.signal_independent(value_range(image))  # millions of quanta
    assert quanta_detectors(image, replace(noise, detector=given)) == (given,)
