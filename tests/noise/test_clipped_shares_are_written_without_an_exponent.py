"""The share of clipped pixels that ``simulate`` prints and records is never written with
an exponent: an image clipped whole reads "100 %", not "1e+02 %"."""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise.value_range import ValueRange, describe_clipping

TWELVE_BITS = ValueRange(low=0.0, high=4095.0, bits=12)


def _image(pixels):
    return XrayImage(
        np.asarray(pixels, np.float32), StoredMapping(bits_stored=12), Window(2048, 4096)
    )


def test_an_image_clipped_whole_reads_100_percent():
    text = describe_clipping(_image(np.zeros((64, 64))), TWELVE_BITS)
    assert text == "clipped at 0: 4096 pixels (100 %), at 4095: 0 (0 %)"


@pytest.mark.parametrize(
    ("at_top", "share"),
    [(1, "0.0012"), (100, "0.12"), (12_345, "15"), (79_999, "98"), (81_919, "100")],
)
def test_small_and_large_shares_keep_two_significant_digits_and_no_exponent(at_top, share):
    pixels = np.full(81_920, 2000.0)
    pixels[:at_top] = 4095.0
    text = describe_clipping(_image(pixels.reshape(256, 320)), TWELVE_BITS)
    assert text.endswith(f"at 4095: {at_top} ({share} %)")
    assert "e+" not in text and "e-" not in text
