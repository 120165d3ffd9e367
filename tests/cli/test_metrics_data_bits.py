"""Metrics score 12-bit data in a wide container against the data's own range, not 65535."""

import json
import math

import numpy as np
import pytest
from PIL import Image

from core.cli import main
from core.image import StoredMapping, Window, XrayImage
from core.noise.value_range import metric_range


def _pair(tmp_path, low, high, suffix=".png"):
    rng = np.random.default_rng(4)
    reference = rng.integers(low, high, (48, 56)).astype(np.uint16)
    test = np.clip(reference.astype(int) + rng.integers(-30, 31, reference.shape), 0, 65535)
    paths = tmp_path / f"ref{suffix}", tmp_path / f"test{suffix}"
    for path, pixels in zip(paths, (reference, test.astype(np.uint16)), strict=True):
        Image.fromarray(pixels).save(path)
    return paths, float(np.mean((reference.astype(float) - test) ** 2))


def _json(paths, capsys):
    assert main(["metrics", *map(str, paths), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_twelve_bit_data_in_a_sixteen_bit_png_are_scored_against_4095(tmp_path, capsys):
    paths, error = _pair(tmp_path, 100, 4000)
    values = _json(paths, capsys)
    assert values["data_range"] == 4095.0
    assert values["psnr"] == pytest.approx(10 * math.log10(4095**2 / error))
    assert values["data_range_source"] == "the reference's 12-bit data in a 16-bit container"


def test_the_text_output_names_the_narrowed_range(tmp_path, capsys):
    paths, _ = _pair(tmp_path, 100, 4000)
    assert main(["metrics", *map(str, paths)]) == 0
    psnr_line = capsys.readouterr().out.splitlines()[1]
    assert "(data range 4095, the reference's 12-bit data in a 16-bit container)" in psnr_line


def test_sixteen_bit_data_keep_the_whole_range(tmp_path, capsys):
    paths, error = _pair(tmp_path, 20000, 60000)
    values = _json(paths, capsys)
    assert values["data_range"] == 65535.0
    assert values["data_range_source"] == "the reference's 16-bit stored range"


def test_a_given_data_range_still_wins(tmp_path, capsys):
    paths, error = _pair(tmp_path, 100, 4000)
    assert main(["metrics", *map(str, paths), "--json", "--data-range", "65535"]) == 0
    values = json.loads(capsys.readouterr().out)
    assert values["psnr"] == pytest.approx(10 * math.log10(65535**2 / error))
    assert values["data_range_source"] == "given"


def _integer_image(pixels, bits, signed=False, slope=1.0):
    return XrayImage(
        pixels=pixels.astype(np.float32),
        mapping=StoredMapping(bits_stored=bits, signed=signed, slope=slope),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )


def test_a_twelve_bit_container_is_taken_at_its_word_however_dark():
    image = _integer_image(np.full((16, 16), 30.0), bits=12)
    assert metric_range(image) == (4095.0, "12-bit stored range")


def test_a_dicom_bits_stored_16_with_12_bit_data_and_a_slope():
    pixels = np.arange(0, 4000, 16, dtype=np.float64).reshape(10, 25) * 0.5
    image = _integer_image(pixels, bits=16, slope=0.5)
    assert metric_range(image) == (4095 * 0.5, "12-bit data in a 16-bit container")


def test_signed_data_take_the_narrowest_twos_complement_width():
    pixels = np.linspace(-2048, 2047, 256).round().reshape(16, 16)
    image = _integer_image(pixels, bits=16, signed=True)
    assert metric_range(image) == (4095.0, "12-bit data in a 16-bit container")


def test_float_data_keep_their_own_range():
    image = XrayImage(
        pixels=np.linspace(0.0, 3000.0, 256, dtype=np.float32).reshape(16, 16),
        mapping=StoredMapping(bits_stored=32, is_float=True),
        window=Window(1500.0, 3000.0),
        photometric="MONOCHROME2",
    )
    assert metric_range(image) == (
        3000.0,
        "maximum minus minimum of floating-point values outside [0, 1]",
    )
