import numpy as np
import pytest

from core.image import Padding, StoredMapping, Window, XrayImage

MAPPING = StoredMapping(bits_stored=12)


def padded(first=0, last=0):
    stored = np.array([[0, 0, 5, 900], [0, 3, 4095, 4094]])
    return stored, Padding.from_stored(stored, first, last)


def test_padding_is_found_in_stored_values_in_either_order():
    stored, padding = padded(4, 0)
    assert (padding.first, padding.last) == (0, 4)
    np.testing.assert_array_equal(padding.mask, (stored >= 0) & (stored <= 4))
    np.testing.assert_array_equal(padding.values, [0, 0, 0, 3])


def test_restore_puts_padding_back_as_read():
    stored, padding = padded(0, 4)
    new = np.array([[7, 9, 5, 901], [8, 6, 4095, 4094]])
    np.testing.assert_array_equal(
        padding.restore(new, MAPPING), [[0, 0, 5, 901], [0, 3, 4095, 4094]]
    )


@pytest.mark.parametrize(
    ("first", "last", "new", "expected"),
    [
        (0, 0, 0, 1),  # padding at the bottom: up
        (4095, 4095, 4095, 4094),  # at the top: down
        (100, 110, 102, 99),  # nearer the bottom of the range
        (100, 110, 108, 111),  # nearer its top
    ],
)
def test_restore_moves_other_pixels_out_of_the_padding_range(first, last, new, expected):
    stored = np.array([[first, 2000]])
    padding = Padding.from_stored(stored, first, last)
    assert padding.restore(np.array([[first, new]]), MAPPING)[0, 1] == expected


def test_restore_leaves_its_input_alone():
    _, padding = padded()
    new = np.full((2, 4), 7)
    padding.restore(new, MAPPING)
    assert (new == 7).all()


def image_with_padding():
    stored, padding = padded()
    return XrayImage(stored.astype(np.float32), MAPPING, Window(0, 1), padding=padding)


def test_with_pixels_keeps_padding_for_the_same_shape_only():
    image = image_with_padding()
    assert image.with_pixels(image.pixels + 1).padding is image.padding
    assert image.with_pixels(image.pixels[:, :2]).padding is None  # a crop, say


def test_padding_must_match_the_pixels():
    image = image_with_padding()
    with pytest.raises(ValueError, match="padding mask shape"):
        XrayImage(image.pixels[:, :2], MAPPING, Window(0, 1), padding=image.padding)


FLOAT = StoredMapping(bits_stored=32, is_float=True)


@pytest.mark.parametrize(
    ("pixels", "data_range", "source"),
    [
        ([[0.0, 0.25], [0.5, 1.0]], 1.0, "floating-point values in [0, 1]"),
        ([[0.2, 0.3], [0.4, 0.5]], 1.0, "floating-point values in [0, 1]"),
        (
            [[12.0, 3100.0], [700.0, 55.5]],
            3088.0,
            "maximum minus minimum of floating-point values outside [0, 1]",
        ),
        (
            [[-0.5, 0.0], [0.5, 1.5]],
            2.0,
            "maximum minus minimum of floating-point values outside [0, 1]",
        ),
        ([[7.0, 7.0], [7.0, 7.0]], 1.0, "constant floating-point values"),
    ],
)
def test_float_data_range_is_their_own_outside_the_unit_interval(pixels, data_range, source):
    image = XrayImage(np.array(pixels, np.float32), FLOAT, Window(0, 1))
    assert image.data_range == data_range
    assert image.data_range_source == source


def test_integer_data_range_is_the_stored_range():
    image = XrayImage(np.zeros((2, 2), np.float32), StoredMapping(12, slope=2.0), Window(0, 1))
    assert image.data_range == 8190.0
    assert image.data_range_source == "12-bit stored range"
