"""A large integer image is shown through a table of its stored values: the same grey levels."""

import gc

import numpy as np
import pytest

import core.display
from core.display import LOOKUP_MIN_PIXELS, to_display
from core.image import StoredMapping, VoiLut, Window, XrayImage

SHAPE = (512, 512)
assert SHAPE[0] * SHAPE[1] >= LOOKUP_MIN_PIXELS


def _image(mapping, *, photometric="MONOCHROME2", seed=0):
    stored = np.random.default_rng(seed).integers(mapping.stored_min, mapping.stored_max + 1, SHAPE)
    return XrayImage(
        pixels=mapping.to_pixels(stored),
        mapping=mapping,
        window=Window(center=900.0, width=700.0),
        photometric=photometric,
    )


def _uses_table(image):
    return core.display._STORED_CODES.get(image.pixels, image.mapping) is not None


def _formula(image, view, invert=False):
    """to_display of a copy of the pixels never shown before: the formula, pixel by pixel."""
    return to_display(image.with_pixels(image.pixels.copy()), view, invert=invert)


MAPPINGS = {
    "12-bit": StoredMapping(bits_stored=12),
    "16-bit signed": StoredMapping(bits_stored=16, signed=True),
    "8-bit": StoredMapping(bits_stored=8),
    "rescaled": StoredMapping(bits_stored=12, slope=0.5, intercept=-100.0),
}
VIEWS = {
    "file window": None,
    "LINEAR": Window(1000.0, 1500.0),
    "LINEAR width 1": Window(120.0, 1.0),
    "LINEAR_EXACT": Window(333.3, 87.5, function="LINEAR_EXACT"),
    "SIGMOID": Window(600.0, 900.0, function="SIGMOID"),
    "VOI LUT": VoiLut(np.arange(0, 4000, 4), first=-50, bits=12),
}


@pytest.mark.parametrize("mapping", MAPPINGS.values(), ids=MAPPINGS)
@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
def test_the_table_gives_the_formula_s_grey_levels(mapping, photometric):
    image = _image(mapping, photometric=photometric)
    to_display(image)  # shown once: the next showing looks the values up
    assert _uses_table(image)
    for name, view in VIEWS.items():
        for invert in (False, True):
            looked_up = to_display(image, view, invert=invert)
            assert looked_up.dtype == np.float32 and looked_up.shape == SHAPE
            np.testing.assert_array_equal(looked_up, _formula(image, view, invert), err_msg=name)


def test_pixels_off_the_stored_values_are_computed():
    image = _image(MAPPINGS["12-bit"])
    image = image.with_pixels(image.pixels + np.float32(0.25))  # a simulated image, say
    for _ in range(2):
        shown = to_display(image, Window(1000.0, 1500.0))
    assert not _uses_table(image)
    np.testing.assert_array_equal(shown, _formula(image, Window(1000.0, 1500.0)))


def test_a_small_or_floating_point_image_is_computed():
    small = XrayImage(
        pixels=np.arange(64 * 64, dtype=np.float32).reshape(64, 64),
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
    )
    floats = XrayImage(
        pixels=np.ones(SHAPE, dtype=np.float32),
        mapping=StoredMapping(bits_stored=32, is_float=True),
        window=Window(1.0, 1.0),
    )
    for image in (small, floats):
        to_display(image)
        to_display(image)
        assert not _uses_table(image)


def test_codes_are_dropped_with_their_pixels():
    image = _image(MAPPINGS["12-bit"], seed=1)
    to_display(image)
    to_display(image)
    assert _uses_table(image)
    held = core.display._STORED_CODES._entries
    assert any(entry[0]() is image.pixels for entry in held.values())
    del image
    gc.collect()
    other = _image(MAPPINGS["8-bit"], seed=2)
    to_display(other)  # any showing forgets the dead ones
    assert all(entry[0]() is not None for entry in held.values())


def test_a_voi_lut_looks_up_non_integer_pixels_at_the_nearest_entry():
    lut = VoiLut(np.arange(0, 4000, 4), first=-50, bits=12)  # entry i is 4 i
    k = 100
    denoised = XrayImage(  # values between the stored ones, as a denoised image has
        pixels=np.array([[k - 0.4, k + 0.4, k + 0.6]], dtype=np.float32),
        mapping=StoredMapping(bits_stored=12),
        window=Window(center=900.0, width=700.0),
    )
    entries = to_display(denoised, lut) * (2**lut.bits - 1)
    expected = [lut.table[k - lut.first], lut.table[k - lut.first], lut.table[k + 1 - lut.first]]
    np.testing.assert_allclose(entries[0], expected, rtol=1e-6)
