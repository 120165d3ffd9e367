"""``normalise(..., "range")`` maps an image over its range of values, as the noise code does.

The normalisation of the models trained before 2026-11-28, the shipped one among them
(``--normalisation range``); new runs map percentiles (test_normalise_percentiles.py).
"""

import numpy as np
import pytest
from PIL import Image

from core.image import StoredMapping, Window, XrayImage
from core.io import read_image
from core.noise.value_range import value_range
from core.training.data import ImageRecord, load_images, normalisation_interval, normalise


def _image(pixels, mapping):
    return XrayImage(pixels=np.asarray(pixels, np.float32), mapping=mapping, window=Window(0, 1))


def _ramp(top: int, dtype) -> np.ndarray:
    return np.linspace(0, top, 48 * 40).reshape(48, 40).round().astype(dtype)


def test_twelve_bit_data_in_a_16_bit_png_span_the_model_domain(tmp_path):
    path = tmp_path / "twelve_in_16.png"
    Image.fromarray(_ramp(4095, np.uint16)).save(path)
    image = read_image(path)
    assert image.data_interval == (0.0, 65535.0)  # the container's range
    assert normalisation_interval(image) == (0.0, 4095.0)  # the data's, as value_range says
    pixels = normalise(image, "range")
    assert pixels.min() == -1.0 and pixels.max() == pytest.approx(1.0)
    (loaded,), skipped = load_images([ImageRecord(path, "p")], normalisation="range")
    assert skipped == [] and loaded.pixels.max() == pytest.approx(1.0)


def test_fourteen_bit_data_under_bits_stored_16_span_the_model_domain():
    image = _image([[0, 8000, 16000]], StoredMapping(bits_stored=16))
    assert value_range(image).describe() == "0 to 16383 in 14 of its 16 bits"
    np.testing.assert_allclose(
        normalise(image, "range"), [[-1, 8000 / 16383 * 2 - 1, 16000 / 16383 * 2 - 1]]
    )


@pytest.mark.parametrize(
    ("bits", "top", "dtype"),
    [(8, 255, np.uint8), (8, 200, np.uint8), (16, 65535, np.uint16), (16, 40000, np.uint16)],
)
def test_8_bit_and_full_16_bit_pngs_normalise_exactly_as_before(tmp_path, bits, top, dtype):
    # The shipped model was trained on 8-bit PNGs: their normalisation must not move a bit.
    path = tmp_path / f"film{bits}.png"
    Image.fromarray(_ramp(top, dtype)).save(path)
    image = read_image(path)
    low, _ = image.data_interval
    before = ((image.pixels.astype(np.float64) - low) * (2.0 / image.data_range) - 1.0).astype(
        np.float32
    )
    np.testing.assert_array_equal(normalise(image, "range"), before)


@pytest.mark.parametrize(
    ("pixels", "interval"),
    [([[0.2, 0.6, 0.4]], (0.0, 1.0)), ([[1000.0, 4000.0, 2500.0]], (1000.0, 4000.0))],
)
def test_floating_point_images_keep_their_rule(pixels, interval):
    # [0, 1] data stay on [0, 1] (not stretched to their own extent); others take their extent.
    image = _image(pixels, StoredMapping(bits_stored=16, is_float=True))
    assert normalisation_interval(image) == interval
    low, high = interval
    expected = (np.asarray(pixels) - low) * 2 / (high - low) - 1
    np.testing.assert_allclose(normalise(image, "range"), expected, atol=1e-6)
