"""written_pixels and on_stored_grid, now mapped in chunks, equal the whole-image passes.

The reference functions are the ones these replaced, frozen here. The results are
compared bit for bit (as uint32), so a -0.0 for a 0.0 or another NaN would show.
"""

import itertools

import numpy as np
import pytest

import core.io.dtypes as dtypes
from core.image import Padding, StoredMapping, Window, XrayImage


def whole_image_stored(image):
    mapping = image.mapping
    if mapping.is_float:
        return mapping.to_stored(image.pixels)
    nbytes = 1 if mapping.bits_stored <= 8 else 2 if mapping.bits_stored <= 16 else 4
    dtype = np.dtype(f"{'i' if mapping.signed else 'u'}{nbytes}")
    stored = mapping.to_stored(image.pixels)
    if image.padding is not None:
        stored = image.padding.restore(stored, mapping)
    return stored.astype(dtype)


def whole_image_written(image, pixels):
    return image.mapping.to_pixels(whole_image_stored(image.with_pixels(pixels)))


def whole_image_on_grid(image):
    return np.array_equal(whole_image_written(image, image.pixels), image.pixels)


def same_bits(a, b):
    assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
    np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))


BIG = (263, 301)  # 79163 pixels: more than one CHUNK, the last one partial
SMALL = (37, 41)  # 1517 pixels: many chunks of 13 or 100


def images(shape, bit_depths):
    """Images of every kind: bits, sign, rescale, padding (with stray pixels in its range)."""
    rng = np.random.default_rng(11)
    for bits, signed, (slope, intercept), padding in itertools.product(
        bit_depths,
        (False, True),
        ((1.0, 0.0), (0.5, -1024.0), (-2.5, 0.25), (0.01, 1e6)),  # the last: float32 ties
        ("none", "low", "high", "middle"),
    ):
        mapping = StoredMapping(bits_stored=bits, signed=signed, slope=slope, intercept=intercept)
        stored = rng.integers(mapping.stored_min, mapping.stored_max, size=shape, endpoint=True)
        pad = None
        if padding != "none":
            first = {
                "low": mapping.stored_min,
                "high": mapping.stored_max - 2,
                "middle": (mapping.stored_min + mapping.stored_max) // 2,
            }[padding]
            stored[:, :5] = first
            stored[shape[0] // 2 :, shape[1] // 2 :] = first + 1
            pad = Padding.from_stored(stored, first, first + 2)
        yield XrayImage(mapping.to_pixels(stored), mapping, Window(0.0, 1.0), padding=pad)
    pixels = rng.normal(0, 100, shape).astype(np.float32)
    pixels[3, 4] = np.nan
    yield XrayImage(pixels, StoredMapping(bits_stored=32, is_float=True), Window(0.0, 1.0))


def new_pixels_for(image, rng):
    """Pixels a denoiser may give: off the grid, out of range, into the padding range."""
    pixels = image.pixels + rng.normal(0, 3 * abs(image.mapping.slope), image.shape)
    pixels[0, :7] = [-1e9, 1e9, -0.0, 0.0, 0.5, -0.5, image.pixels[-1, -1]]
    return pixels.astype(np.float32)


def check(images):
    rng = np.random.default_rng(5)
    for image in images:
        same_bits(
            dtypes.written_pixels(image, image.pixels), whole_image_written(image, image.pixels)
        )
        new = new_pixels_for(image, rng)
        same_bits(dtypes.written_pixels(image, new), whole_image_written(image, new))
        crop = new[1:, 2:]  # another shape: its padding is dropped
        same_bits(dtypes.written_pixels(image, crop), whole_image_written(image, crop))
        written = dtypes.written_pixels(image, new)
        for candidate in (image, image.with_pixels(new), image.with_pixels(written)):
            assert dtypes.on_stored_grid(candidate) == whole_image_on_grid(candidate)
        last = image.pixels.copy()
        last[-1, -1] += abs(image.mapping.slope) / 3  # off the grid in the last chunk only
        off = image.with_pixels(last)
        assert dtypes.on_stored_grid(off) == whole_image_on_grid(off)


@pytest.mark.parametrize("chunk", [13, 100])
def test_written_pixels_are_the_whole_image_ones(monkeypatch, chunk):
    monkeypatch.setattr(dtypes, "CHUNK", chunk)
    check(images(SMALL, (8, 12, 16, 32)))


def test_written_pixels_of_an_image_of_several_chunks_are_the_whole_image_ones():
    check(images(BIG, (12, 16)))


def test_an_image_as_read_lies_on_its_grid_and_a_simulated_one_not():
    mapping = StoredMapping(bits_stored=12, slope=0.5, intercept=-1024.0)
    stored = np.random.default_rng(0).integers(0, 4095, size=BIG, endpoint=True)
    image = XrayImage(mapping.to_pixels(stored), mapping, Window(0.0, 1.0))
    assert dtypes.on_stored_grid(image)
    assert not dtypes.on_stored_grid(image.with_pixels(image.pixels + np.float32(0.1)))


def test_the_stored_values_are_the_whole_image_ones():
    for image in images(SMALL, (8, 12, 16, 32)):
        stored, reference = dtypes.stored_pixels(image), whole_image_stored(image)
        assert stored.dtype == reference.dtype
        np.testing.assert_array_equal(stored, reference)
