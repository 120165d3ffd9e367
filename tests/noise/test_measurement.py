"""Measuring the quanta from an image's noise: where it is refused, and what it records."""

import math
import re

import numpy as np
import pytest
from scipy import ndimage

from core.image import Padding, StoredMapping, Window, XrayImage
from core.io import read_image
from core.noise import (
    DetectorModel,
    LowDoseSettings,
    NoiseEstimate,
    chest_phantom,
    phantom_image,
    simulate_low_dose_image,
)
from core.noise.correlation import MAX_BINNED_RATIO, binned_noise_ratio
from core.noise.value_range import value_range
from core.resources import sample_image_path


def xray_image(stored, bits_stored=12, photometric="MONOCHROME2"):
    return XrayImage(
        np.asarray(stored, dtype=np.float32),
        StoredMapping(bits_stored=bits_stored),
        Window(2048, 4096),
        photometric=photometric,
    )


def exposure(shape, photons, *, blur=0.0, seed=0, top=4095):
    """The phantom taken at ``photons``, its detected quanta blurred by ``blur`` px (an MTF)."""
    detector = DetectorModel.from_range(0, top, photons_per_pixel=photons)
    expected = photons * np.exp(-chest_phantom(shape, seed=0))
    rng = np.random.default_rng(seed)
    quanta = rng.poisson(expected) + rng.normal(0.0, 4.0, expected.shape)
    if blur:
        quanta = ndimage.gaussian_filter(quanta, blur)
    values = detector.values(-np.log(np.maximum(quanta, 1.0) / photons))
    return np.clip(np.rint(values), 0, top)


def unit_psnr(clean, noisy, top):
    error = (np.asarray(noisy, np.float64) - np.asarray(clean, np.float64)) / top
    return -10 * math.log10(np.mean(error**2))


@pytest.mark.parametrize("blur", [0.5, 0.7])
def test_noise_correlated_by_a_detectors_blur_is_refused_with_the_reason(blur):
    # Blurred quanta hide their noise from the estimate: unrefused, the quanta measured
    # would be 5.6 and 87 times too many (core/noise/correlation.py).
    image = xray_image(exposure((768, 768), 20_000.0, blur=blur))
    with pytest.raises(ValueError) as caught:
        LowDoseSettings.measured_from(image, 0.25)
    message = str(caught.value)
    assert message.startswith("its noise is correlated between neighbouring pixels")
    assert "so the quanta measured from it would be too many" in message
    assert "\n" not in message
    default, why_not = LowDoseSettings.measured_or_default(image, 0.25)
    assert why_not == message and default == LowDoseSettings(dose=0.25)


@pytest.mark.parametrize(("size", "photons"), [(512, 5_000.0), (512, 20_000.0), (768, 50_000.0)])
def test_white_noise_is_not_taken_for_correlated_noise(size, photons):
    pixels = phantom_image((size, size), photons_per_pixel=photons, seed=1)
    ratio = binned_noise_ratio(pixels, NoiseEstimate.from_pixels(pixels.astype(np.float32)).nlf)
    assert ratio == pytest.approx(0.5, abs=0.06)
    assert ratio < MAX_BINNED_RATIO


def test_the_bundled_sample_is_measured_as_before():
    # Taken at 20,000 quanta per unattenuated pixel (docs/user-guide.md): white noise, 16 bins.
    image = read_image(sample_image_path())
    noise = NoiseEstimate.from_pixels(image.pixels)
    assert binned_noise_ratio(image.pixels, noise.nlf) == pytest.approx(0.5, abs=0.03)
    settings = LowDoseSettings.measured_from(image, 0.25, noise=noise)
    assert settings.photons_per_pixel == pytest.approx(20_000, rel=0.02)
    low, high = settings.photons_range
    assert low < settings.photons_per_pixel < high


def test_too_few_noise_bins_are_refused_with_the_reason():
    # At 200,000 quanta a 512 px phantom's texture leaves 3 to 5 bins, and the quanta
    # came out 25 % too few.
    image = xray_image(phantom_image((512, 512), photons_per_pixel=200_000.0, seed=0))
    with pytest.raises(ValueError, match=r"^its noise could be measured at only [3-6] intensities"):
        LowDoseSettings.measured_from(image, 0.25)


def test_measured_quanta_carry_their_uncertainty():
    image = xray_image(phantom_image((512, 512), photons_per_pixel=20_000.0, seed=0))
    settings = LowDoseSettings.measured_from(image, 0.25)
    low, high = settings.photons_range
    assert low < settings.photons_per_pixel < high
    assert 0.005 < (high - low) / settings.photons_per_pixel < 0.2
    assert f"one standard error {low:.0f}-{high:.0f}" in settings.describe()
    with pytest.raises(ValueError, match="photons_range"):
        LowDoseSettings(dose=0.5, photons_range=(2.0, 1.0))


def described_detector(description):
    """The quanta, electronic noise and span a description records, as floats."""
    numbers = r"([0-9.e+-]+)"
    photons = re.search(rf"noise: {numbers}/pixel", description)
    electronic = re.search(rf"electronic noise {numbers} quanta", description)
    span = re.search(rf"line integral 0-{numbers} over", description)
    return float(photons[1]), float(electronic[1]), float(span[1])


def test_the_recorded_settings_reproduce_a_measured_simulation_exactly():
    image = xray_image(phantom_image((512, 512), photons_per_pixel=20_000.0, seed=2))
    measured = LowDoseSettings.measured_from(image, 0.25, electronic_noise=3.7, seed=5)
    photons, electronic, span = described_detector(measured.describe())
    assert (photons, electronic, span) == (
        measured.photons_per_pixel,
        measured.electronic_noise,
        measured.max_attenuation,
    )
    again = LowDoseSettings(
        dose=0.25,
        photons_per_pixel=photons,
        electronic_noise=electronic,
        max_attenuation=span,
        seed=5,
    )
    np.testing.assert_array_equal(
        simulate_low_dose_image(image, again).pixels,
        simulate_low_dose_image(image, measured).pixels,
    )


def test_entered_settings_describe_themselves_exactly_where_rounding_would_change_them():
    settings = LowDoseSettings(
        dose=0.25, photons_per_pixel=12345.678, electronic_noise=4.25, max_attenuation=6.125
    )
    text = settings.describe()
    assert "12345.678 quanta/pixel" in text
    assert "electronic noise 4.25 quanta rms" in text and "line integral 0-6.125 " in text


def sixteen_bit_container(stored):
    """12 or 14-bit stored values as a 16-bit file holds them, without saying so."""
    return xray_image(stored, bits_stored=16)


@pytest.mark.parametrize("bits", [12, 14])
def test_data_of_fewer_bits_in_a_16_bit_container_are_measured_over_their_own_range(bits):
    top = 2**bits - 1

    def taken_at(photons):
        return phantom_image((512, 512), bits_stored=bits, photons_per_pixel=photons, seed=0)

    image = sixteen_bit_container(taken_at(20_000.0))
    assert (value_range(image).low, value_range(image).high) == (0.0, float(top))
    settings = LowDoseSettings.measured_from(image, 0.25, seed=1)
    assert settings.photons_per_pixel == pytest.approx(20_000, rel=0.15)
    assert settings.max_attenuation == pytest.approx(7.0, rel=0.05)
    clean = phantom_image((512, 512), bits_stored=bits, seed=0)
    simulated = simulate_low_dose_image(image, settings).pixels
    quarter = unit_psnr(clean, taken_at(5_000.0), top)
    assert unit_psnr(clean, simulated, top) == pytest.approx(quarter, abs=0.5)
    # The fallback's assumed detector spans the data's range too: 50,000 quanta over
    # 7 units of attenuation of the 12 or 14 bits, as for the same data stored as such.
    default = LowDoseSettings(dose=0.25, seed=1)
    np.testing.assert_array_equal(
        simulate_low_dose_image(image, default).pixels,
        simulate_low_dose_image(xray_image(taken_at(20_000.0), bits), default).pixels,
    )


def test_a_refusal_names_the_range_of_values_it_judged_the_noise_against():
    rng = np.random.default_rng(0)
    ramp = np.tile(np.linspace(200.0, 3800.0, 256), (256, 1))
    image = sixteen_bit_container(np.rint(ramp + rng.normal(0, 20, ramp.shape)))
    with pytest.raises(ValueError) as caught:
        LowDoseSettings.measured_from(image, 0.25)
    assert str(caught.value).startswith("a log detector fitting its noise would span ")
    assert "over its range of values, 0 to 4095 in 12 of its 16 bits, too few" in str(caught.value)


def test_value_range_of_a_container_ignores_padding_and_keeps_declared_ranges():
    stored = np.full((32, 32), 1000.0)
    stored[:, :4] = 65535  # padding at the container's top
    padded = XrayImage(
        stored.astype(np.float32),
        StoredMapping(bits_stored=16),
        Window(0, 1),
        padding=Padding.from_stored(stored.astype(np.int64), 65535, 65535),
    )
    assert value_range(padded).high == 1023.0
    assert value_range(padded).describe() == "0 to 1023 in 10 of its 16 bits"
    assert value_range(xray_image(stored, bits_stored=16)).high == 65535.0
    assert value_range(xray_image(np.full((8, 8), 10.0), bits_stored=12)).high == 4095.0
    assert value_range(xray_image(np.full((8, 8), 10.0), bits_stored=16)).high == 255.0


def test_a_rendered_phantom_is_refused_as_noise_free_not_as_correlated():
    clean = xray_image(phantom_image((512, 512)))  # no --photons: no noise but rounding's
    with pytest.raises(ValueError, match="no noise beyond rounding to its stored values"):
        LowDoseSettings.measured_from(clean, 0.25)
