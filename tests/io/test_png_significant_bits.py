"""A PNG's sBIT chunk: the bits its gray data use, where they are written unscaled."""

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core.image import StoredMapping
from core.io import read_image


def with_sbit(path, bits):
    """Insert an sBIT chunk of ``bits`` gray bits right after the PNG's header chunk."""
    data = path.read_bytes()
    end_of_header = 8 + 8 + 13 + 4  # signature, IHDR's length and type, its data, CRC
    body = b"sBIT" + bytes([bits])
    chunk = struct.pack(">I", 1) + body + struct.pack(">I", zlib.crc32(body))
    path.write_bytes(data[:end_of_header] + chunk + data[end_of_header:])
    return path


@pytest.fixture
def twelve_bit_values():
    rng = np.random.default_rng(0)
    return rng.integers(0, 4096, (32, 48)).astype(np.uint16)


def test_sbit_gives_the_bits_of_unscaled_data(tmp_path, twelve_bit_values):
    path = tmp_path / "twelve.png"
    Image.fromarray(twelve_bit_values).save(path)
    with_sbit(path, 12)
    image = read_image(path)
    assert image.mapping == StoredMapping(bits_stored=12)
    assert image.data_range == 4095
    np.testing.assert_array_equal(image.pixels, twelve_bit_values)


def test_without_sbit_or_with_values_beyond_it_the_sample_depth_holds(tmp_path, twelve_bit_values):
    plain = tmp_path / "plain.png"
    Image.fromarray(twelve_bit_values).save(plain)
    assert read_image(plain).mapping.bits_stored == 16
    scaled = tmp_path / "scaled.png"  # sBIT as PNG means it: values scaled up to 16 bits
    Image.fromarray(twelve_bit_values * 16).save(scaled)
    assert read_image(with_sbit(scaled, 12)).mapping.bits_stored == 16


def test_a_12_bit_image_written_as_png_reads_back_as_12_bits(tmp_path):
    from core.image import StoredMapping, Window, XrayImage
    from core.io import write_image

    stored = np.arange(64 * 64, dtype=np.float32).reshape(64, 64) % 4096
    image = XrayImage(stored, StoredMapping(bits_stored=12), Window(2048, 4096))
    path = write_image(image, tmp_path / "twelve.png", description="test")
    back = read_image(path)
    assert back.mapping.bits_stored == 12
    np.testing.assert_array_equal(back.pixels, stored)
