"""Which stored values need the top bit of the data's bits is written once
(``_top_bit_half``, ``_needs_top_bit``) and ``value_range`` finds them in one pass, not
once to count them and again for the bits the rest need."""

import numpy as np
import pytest

import core.noise.value_range as vr
from core.image import StoredMapping, Window, XrayImage


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("bits", [9, 12, 16])
def test_a_value_needs_the_top_bit_where_fewer_bits_cannot_hold_it(bits, signed):
    low = -(2 ** (bits - 1)) if signed else 0
    stored = np.arange(low, low + 2**bits, dtype=np.int64)
    needs = vr._needs_top_bit(stored, bits, signed)
    # an independent reference: the value's own width, signed or not, is the full `bits`
    widths = [vr._signed_width(int(v)) if signed else int(v).bit_length() for v in stored]
    assert needs.tolist() == [w == bits for w in widths]


def _image(stored, signed):
    mapping = StoredMapping(bits_stored=16, signed=signed)
    pixels = mapping.to_pixels(stored.astype(np.int64)).astype(np.float32)
    return XrayImage(
        pixels=pixels, mapping=mapping, window=Window(0.0, 1.0), photometric="MONOCHROME2"
    )


@pytest.mark.parametrize("signed", [False, True])
def test_one_hot_pixel_gives_the_count_and_the_bits_of_the_rest(signed):
    rng = np.random.default_rng(0)
    low, high = (-2048, 2047) if signed else (0, 4095)
    stored = rng.integers(low, high + 1, (128, 128))
    stored[0, 0] = 32767 if signed else 65535  # one hot pixel: 16 bits
    result = vr.value_range(_image(stored, signed))
    assert (result.bits, result.top_bit_pixels, result.rest_bits) == (16, 1, 12)


@pytest.mark.parametrize("signed", [False, True])
def test_the_pixel_count_without_stored_values_agrees(signed):
    mapping = StoredMapping(bits_stored=16, signed=signed, slope=-0.5, intercept=7.0)
    stored = np.arange(-(2**15) if signed else 0, 2**15 if signed else 2**16, 7, dtype=np.int64)
    pixels = mapping.to_pixels(stored)
    for bits in (9, 13, 16):
        expected = np.count_nonzero(vr._needs_top_bit(stored, bits, signed))
        assert vr._pixels_needing_the_top_bit(pixels, mapping, bits) == expected
