"""value_range and data_bits, now counted or mapped in chunks, equal the whole-image passes.

The reference functions are the ones these replaced, frozen here: a container of up
to NATIVE_BITS bits is only counted (no mapping to stored values), a wider one is
mapped CHUNK pixels at a time; both must give the same ValueRange, field for field.
"""

import itertools

import numpy as np
import pytest

import core.noise.value_range as vr
from core.image import Padding, StoredMapping, Window, XrayImage


def whole_image_stored(image):
    pixels = image.pixels if image.padding is None else image.pixels[~image.padding.mask]
    return image.mapping.to_stored(pixels)


def whole_image_data_bits(image):
    if image.mapping.bits_stored <= vr.NATIVE_BITS:
        return image.mapping.bits_stored
    stored = whole_image_stored(image)
    if stored.size == 0:
        return image.mapping.bits_stored
    return vr._bits_of(image.mapping, int(stored.min()), int(stored.max()))


def whole_image_value_range(image):
    mapping = image.mapping
    if mapping.is_float:
        return vr.ValueRange(float(np.min(image.pixels)), float(np.max(image.pixels)))
    stored = whole_image_stored(image)
    if stored.size == 0 or mapping.bits_stored <= vr.NATIVE_BITS:
        bits, top_bit = mapping.bits_stored, None
    else:
        bits = vr._bits_of(mapping, int(stored.min()), int(stored.max()))
        top_bit = (
            int(np.count_nonzero(vr._needs_top_bit(stored, bits, mapping.signed)))
            if bits > vr.MIN_DATA_BITS
            else None
        )
    if mapping.signed:
        ends_stored = np.array([-(2 ** (bits - 1)), 2 ** (bits - 1) - 1])
    else:
        ends_stored = np.array([0, 2**bits - 1])
    ends = mapping.to_pixels(ends_stored)
    return vr.ValueRange(
        float(np.min(ends)),
        float(np.max(ends)),
        bits,
        None if bits == mapping.bits_stored else mapping.bits_stored,
        top_bit,
        int(stored.size),
    )


BIG = (263, 301)  # 79163 pixels: more than one CHUNK, the last one partial
SMALL = (37, 41)  # 1517 pixels: many chunks of 7 or 100


def images(shape, bit_depths):
    """Integer images of every kind: bits, sign, rescale, data span, padding, off-grid."""
    rng = np.random.default_rng(7)
    for bits, signed, (slope, intercept), span, padding, off_grid in itertools.product(
        bit_depths,
        (False, True),
        ((1.0, 0.0), (0.5, -1024.0), (-2.5, 0.25)),
        (9, 12, 32),
        ("none", "band", "all"),
        (False, True),
    ):
        mapping = StoredMapping(bits_stored=bits, signed=signed, slope=slope, intercept=intercept)
        span = min(span, bits)
        low = -(2 ** (span - 1)) if signed else 0
        high = 2 ** (span - 1) - 1 if signed else 2**span - 1
        stored = rng.integers(low, high, size=shape, endpoint=True)
        stored[rng.random(shape) < 0.999] //= 3  # a few pixels only need the top bit
        stored[0, 0] = high
        pad = None
        if padding != "none":
            first = mapping.stored_min
            if padding == "all":
                stored[:] = first
            else:
                stored[:, :5] = first
                stored[shape[0] // 2 :, shape[1] // 2 :] = first
            pad = Padding.from_stored(stored, first, first)
        pixels = mapping.to_pixels(stored)
        if off_grid:
            pixels = (pixels + np.float32(0.37 * abs(slope))).astype(np.float32)
        yield XrayImage(pixels, mapping, Window(0.0, 1.0), padding=pad)
    float_pixels = rng.normal(0, 1, shape).astype(np.float32)
    yield XrayImage(float_pixels, StoredMapping(bits_stored=32, is_float=True), Window(0.0, 1.0))


def check(images):
    for image in images:
        assert vr.value_range(image) == whole_image_value_range(image), image.mapping
        if not image.mapping.is_float:
            assert vr.data_bits(image) == whole_image_data_bits(image), image.mapping


@pytest.mark.parametrize("chunk", [7, 100])
def test_the_range_and_bits_are_those_of_the_whole_image_pass(monkeypatch, chunk):
    monkeypatch.setattr(vr, "CHUNK", chunk)
    check(images(SMALL, (8, 12, 14, 16, 32)))


def test_the_range_and_bits_of_an_image_of_several_chunks_are_the_whole_image_pass():
    check(images(BIG, (12, 16)))


def test_a_narrow_container_is_counted_not_mapped():
    """Up to NATIVE_BITS bits only the pixels that are not padding are counted."""
    mapping = StoredMapping(bits_stored=12)
    stored = np.zeros((20, 30), dtype=np.int64)
    stored[:, :5] = 4095
    pad = Padding.from_stored(stored, 4095, 4095)
    image = XrayImage(mapping.to_pixels(stored), mapping, Window(0.0, 1.0), padding=pad)
    assert vr.value_range(image) == vr.ValueRange(0.0, 4095.0, 12, None, None, 20 * 25)
