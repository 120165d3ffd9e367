"""The range a simulation spans is the data's, whatever wide container declares them."""

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, simulate_low_dose_image
from core.noise.value_range import value_range


def twelve_bit_data(rng):
    """Noisy 12-bit stored values over their whole range, -2048..2047 when signed."""
    ramp = np.tile(np.linspace(0.0, 4095.0, 128), (128, 1))
    return np.clip(np.rint(ramp + rng.normal(0.0, 20.0, ramp.shape)), 0, 4095)


def image_of(stored, mapping):
    pixels = mapping.to_pixels(stored.astype(np.int64))
    return XrayImage(pixels, mapping, Window(float(pixels.mean()), 4096.0))


def added_noise(image):
    settings = LowDoseSettings(dose=0.25, photons_per_pixel=20_000.0, seed=1)
    return float(np.std(simulate_low_dose_image(image, settings).pixels - image.pixels))


def test_signed_16_bit_data_of_12_bits_get_the_noise_of_12_bit_data():
    stored = twelve_bit_data(np.random.default_rng(0))
    unsigned = image_of(stored, StoredMapping(bits_stored=12))
    signed = image_of(stored - 2048, StoredMapping(bits_stored=16, signed=True, intercept=-1024))
    values = value_range(signed)
    assert (values.low, values.high, values.bits) == (-3072.0, 1023.0, 12)
    assert values.describe() == "-3072 to 1023 in 12 of its 16 bits"
    assert added_noise(signed) == added_noise(unsigned)  # was 676 against 42.7 stored steps


def test_bits_stored_14_holding_12_bit_data_spans_12_bits():
    stored = twelve_bit_data(np.random.default_rng(1))
    twelve = image_of(stored, StoredMapping(bits_stored=12))
    fourteen = image_of(stored, StoredMapping(bits_stored=14))
    assert value_range(fourteen).high == 4095.0
    out = simulate_low_dose_image(fourteen, LowDoseSettings(dose=0.25, photons_per_pixel=2e4))
    assert out.pixels.max() <= 4095.0  # was up to 4199
    assert added_noise(fourteen) == added_noise(twelve)


def test_a_container_of_native_depth_keeps_its_declared_range():
    stored = np.full((16, 16), 100.0)
    assert value_range(image_of(stored, StoredMapping(bits_stored=12))).high == 4095.0
    signed = value_range(image_of(stored, StoredMapping(bits_stored=12, signed=True)))
    assert (signed.low, signed.high) == (-2048.0, 2047.0)


def test_bits_inferred_from_a_handful_of_pixels_are_warned_of():
    stored = twelve_bit_data(np.random.default_rng(2))
    assert value_range(image_of(stored, StoredMapping(bits_stored=16))).few_pixels_problem() is None
    stored[0, 0] = 4096
    values = value_range(image_of(stored, StoredMapping(bits_stored=16)))
    assert values.high == 8191.0
    problem = values.few_pixels_problem()
    assert problem.startswith("its range of values, 0 to 8191 in 13 of its 16 bits, rests on 1 of")
