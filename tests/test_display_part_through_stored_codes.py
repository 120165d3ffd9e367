"""A part of an image is windowed through the whole image's stored codes, sliced.

At 1:1 the panes window the part of the image in sight at each pan: looked up through
the codes of the whole image, a part costs what slicing costs, and gives the grey
levels windowing the part's own pixels gives.
"""

import numpy as np
import pytest

import core.display as display
from core.display import LOOKUP_MIN_PIXELS, to_display, to_display_part
from core.image import StoredMapping, VoiLut, Window, XrayImage

SHAPE = (640, 600)  # over LOOKUP_MIN_PIXELS: an image the codes serve


def _image(photometric="MONOCHROME2", pixels=None, is_float=False):
    assert SHAPE[0] * SHAPE[1] >= LOOKUP_MIN_PIXELS
    if pixels is None:
        pixels = np.random.default_rng(3).integers(0, 4096, SHAPE).astype(np.float32)
    return XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=32 if is_float else 12, is_float=is_float),
        window=Window(center=2000.0, width=4000.0),
        photometric=photometric,
    )


VIEWS = [
    Window(2000.0, 1500.0),
    Window(2000.0, 1500.0, function="SIGMOID"),
    Window(1000.5, 300.0, function="LINEAR_EXACT"),
    VoiLut(table=np.arange(256) * 3 % 256, first=500, bits=8),
    None,
]
INDEXES = [
    (slice(10, 330), slice(64, 600)),
    (slice(0, 1), slice(0, 600)),
    (slice(None, None, 3), slice(5, None, 2)),  # every few pixels: a stand-in
]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
def test_a_part_has_the_grey_levels_of_its_own_pixels(view, photometric):
    image = _image(photometric)
    for invert in (False, True):
        for shown in range(3):  # the first time, and through the codes made the second
            for index in INDEXES:
                expected = to_display(image.with_pixels(image.pixels[index]), view, invert=invert)
                got = to_display_part(image, index, view, invert=invert)
                assert got.dtype == np.float32
                np.testing.assert_array_equal(got, expected, err_msg=f"{shown} {index}")


def test_once_the_image_is_shown_a_part_windows_only_the_storable_values(monkeypatch):
    image = _image()
    view = Window(2000.0, 1500.0, function="SIGMOID")
    to_display(image, view)
    to_display(image, view)  # shown twice: its codes are kept
    sizes = []
    real = display._grey_levels

    def grey_levels(x, *args):
        sizes.append(np.size(x))
        return real(x, *args)

    monkeypatch.setattr(display, "_grey_levels", grey_levels)
    for top in range(0, 300, 50):  # a pan
        to_display_part(image, (slice(top, top + 320), slice(top, top + 300)), view)
    assert sizes and max(sizes) == 4096  # the table of 12-bit values, never the part's pixels


def test_an_image_off_its_stored_values_is_windowed_pixel_by_pixel():
    pixels = np.random.default_rng(4).normal(100.0, 20.0, SHAPE).astype(np.float32)
    image = _image(pixels=pixels, is_float=True)
    index = (slice(100, 200), slice(None, None, 2))
    for _ in range(3):
        np.testing.assert_array_equal(
            to_display_part(image, index, Window(100.0, 50.0)),
            to_display(image.with_pixels(pixels[index]), Window(100.0, 50.0)),
        )
