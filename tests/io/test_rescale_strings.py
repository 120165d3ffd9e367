"""A RescaleSlope or RescaleIntercept that is present but not a number is refused, not guessed."""

from pathlib import Path

import numpy as np
import pytest

from core.errors import ImageReadError
from core.io import read_image

STORED = (np.arange(48 * 64).reshape(48, 64) % 4096).astype(np.uint16)


def patched(write_dx, keyword: str, written: str, read: str) -> Path:
    """A file whose `keyword` is written as `written`, then its bytes changed to `read`."""
    path = write_dx(STORED, **{keyword: written})
    data = path.read_bytes()
    assert data.count(written.encode()) == 1 and len(read) == len(written)
    path.write_bytes(data.replace(written.encode(), read.encode()))
    return path


@pytest.mark.parametrize(
    ("keyword", "written", "read"),
    [
        ("RescaleSlope", "7.25", "7,25"),  # a decimal comma, from a locale-broken exporter
        ("RescaleIntercept", "-100.5", "-100,5"),
        ("RescaleSlope", "7.25", "inf "),
        ("RescaleIntercept", "-100.5", "abcdef"),
    ],
)
def test_a_value_that_is_not_a_finite_number_is_refused(write_dx, keyword, written, read):
    path = patched(write_dx, keyword, written, read)
    with pytest.raises(ImageReadError) as info:
        read_image(path)
    assert str(info.value) == f"{path}: invalid {keyword} {read.strip()!r}"


@pytest.mark.parametrize("text", ["5.0E-01", "+.5", " 0.5"])
def test_numbers_in_any_ds_form_are_read(write_dx, text):
    image = read_image(write_dx(STORED, RescaleSlope=text, RescaleIntercept="-1024"))
    assert (image.mapping.slope, image.mapping.intercept) == (0.5, -1024.0)


def test_an_empty_value_is_the_default(write_dx):
    image = read_image(write_dx(STORED, RescaleSlope="", RescaleIntercept=""))
    assert (image.mapping.slope, image.mapping.intercept) == (1.0, 0.0)
    np.testing.assert_array_equal(image.pixels, STORED)
