"""A PNG's sBIT chunk: data of fewer bits scaled up to the sample depth, as PNG asks."""

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core.image import StoredMapping, Window, XrayImage
from core.io import read_image, write_image


def with_sbit(path, bits):
    """Insert an sBIT chunk of ``bits`` gray bits right after the PNG's header chunk."""
    data = path.read_bytes()
    end_of_header = 8 + 8 + 13 + 4  # signature, IHDR's length and type, its data, CRC
    body = b"sBIT" + bytes([bits])
    chunk = struct.pack(">I", 1) + body + struct.pack(">I", zlib.crc32(body))
    path.write_bytes(data[:end_of_header] + chunk + data[end_of_header:])
    return path


def png_chunk(path, kind):
    """Return the data of the first chunk of `kind` in a PNG file, or None."""
    data = path.read_bytes()
    position = 8
    while position < len(data):
        length, found = struct.unpack(">I4s", data[position : position + 8])
        if found == kind:
            return data[position + 8 : position + 8 + length]
        position += 12 + length
    return None


def raw_samples(path):
    """The 16-bit samples as stored, which Pillow decodes without applying sBIT."""
    with Image.open(path) as png:
        return np.asarray(png).astype(np.int64)


def replicated(values, bits):
    """Left-bit replication of `bits`-bit values to 16 bits, written out bit by bit."""
    out = np.zeros_like(values)
    for bit in range(16):
        out |= ((values >> (bits - 1 - bit % bits)) & 1) << (15 - bit)
    return out


@pytest.fixture
def twelve_bit_values():
    rng = np.random.default_rng(0)
    return rng.integers(0, 4096, (32, 48)).astype(np.uint16)


def image_of(values, bits):
    stored = np.asarray(values, dtype=np.float32)
    return XrayImage(stored, StoredMapping(bits_stored=bits), Window(2**bits / 2, 2**bits))


@pytest.mark.parametrize("bits", [9, 12, 14, 15])
def test_data_of_9_to_15_bits_are_scaled_up_by_left_bit_replication(tmp_path, bits):
    values = np.arange(2**bits, dtype=np.int64)[:: max(1, 2**bits // 4096)]
    values = np.append(values, 2**bits - 1).reshape(1, -1)
    path = write_image(image_of(values, bits), tmp_path / "out.png", description="test")
    assert png_chunk(path, b"sBIT") == bytes([bits])
    samples = raw_samples(path)
    np.testing.assert_array_equal(samples, replicated(values, bits))
    assert samples.min() == 0 and samples.max() == 65535  # the full range for viewers
    np.testing.assert_array_equal(samples >> (16 - bits), values)  # as PNG decoders undo it


def test_a_12_bit_dicom_as_png_reads_back_with_its_values_range_and_bits(tmp_path, shipped):
    source = read_image(shipped("JPGExtended.dcm"))
    assert source.mapping.bits_stored == 12
    path = write_image(source, tmp_path / "out.png", description="export")
    assert raw_samples(path).max() > 4095  # scaled, not 12-bit values in 16-bit samples
    back = read_image(path)
    assert back.mapping == StoredMapping(bits_stored=12)
    assert back.data_range == source.data_range == 4095
    np.testing.assert_array_equal(back.pixels, source.pixels)


def test_a_dark_14_bit_image_whose_scaled_values_fit_in_14_bits_reads_back(tmp_path):
    values = np.arange(0, 4096, 3, dtype=np.int64).reshape(1, -1)  # a quarter of the range
    path = write_image(image_of(values, 14), tmp_path / "dark.png", description="test")
    assert raw_samples(path).max() < 2**14
    back = read_image(path)
    assert back.mapping.bits_stored == 14
    np.testing.assert_array_equal(back.pixels, values)


def test_a_file_scaled_with_zero_low_bits_reads_back_on_its_own_range(tmp_path, twelve_bit_values):
    path = tmp_path / "scaled.png"
    Image.fromarray(twelve_bit_values << 4).save(path)  # another writer's way to scale
    image = read_image(with_sbit(path, 12))
    assert image.mapping == StoredMapping(bits_stored=12)
    np.testing.assert_array_equal(image.pixels, twelve_bit_values)


def test_unscaled_data_with_sbit_from_earlier_versions_still_read(tmp_path, twelve_bit_values):
    path = tmp_path / "twelve.png"
    Image.fromarray(twelve_bit_values).save(path)
    image = read_image(with_sbit(path, 12))
    assert image.mapping == StoredMapping(bits_stored=12)
    assert image.data_range == 4095
    np.testing.assert_array_equal(image.pixels, twelve_bit_values)


def test_16_bit_data_without_sbit_stay_on_their_scale(tmp_path, twelve_bit_values):
    source = tmp_path / "plain.png"
    Image.fromarray(twelve_bit_values).save(source)
    image = read_image(source)
    assert image.mapping.bits_stored == 16
    path = write_image(image, tmp_path / "out.png", description="copy")
    assert png_chunk(path, b"sBIT") is None
    np.testing.assert_array_equal(raw_samples(path), twelve_bit_values)
    assert read_image(path).mapping.bits_stored == 16
