"""LUT tables as the standard writes them: signed VOI LUT inputs, 8-bit entries two per word."""

import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from core.display import to_display
from core.errors import XrayWarning
from core.io import read_image
from core.io.lut import read_lut

ENTRIES = np.array([3, 250, 17, 128, 99], dtype=np.uint8)  # five 8-bit entries


def lut_item(descriptor: list[int], data: bytes | list[int], *, descriptor_vr: str = "US"):
    """A LUT Sequence item; `data` as bytes is OW, as a list US."""
    item = Dataset()
    item.add_new(0x00283002, descriptor_vr, descriptor)  # LUTDescriptor
    item.add_new(0x00283006, "OW" if isinstance(data, bytes) else "US", data)  # LUTData
    return item


def film() -> np.ndarray:
    """12-bit stored values 500 .. 3500, shape (40, 50)."""
    rows, cols = np.mgrid[0:40, 0:50]
    return (500 + (rows * 50 + cols) * 3000 // 1999).astype(np.uint16)


def test_8_bit_entries_packed_two_per_word_are_read_low_byte_first():
    packed = ENTRIES.tobytes() + b"\x00"  # an odd count is padded to a whole word
    lut = read_lut(lut_item([5, 0, 8], packed), ExplicitVRLittleEndian)
    np.testing.assert_array_equal(lut.table, ENTRIES)


def test_packed_entries_in_big_endian_words():
    words = np.frombuffer(ENTRIES.tobytes() + b"\x00", "<u2")
    lut = read_lut(lut_item([5, 0, 8], words.astype(">u2").tobytes()), ExplicitVRBigEndian)
    np.testing.assert_array_equal(lut.table, ENTRIES)


def test_packed_entries_as_us_values():
    words = np.frombuffer(ENTRIES.tobytes() + b"\x00", "<u2").tolist()
    lut = read_lut(lut_item([5, 0, 8], words), ImplicitVRLittleEndian)
    np.testing.assert_array_equal(lut.table, ENTRIES)


def test_one_8_bit_entry_per_word_is_still_read():
    lut = read_lut(lut_item([5, 0, 8], ENTRIES.astype("<u2").tobytes()), ExplicitVRLittleEndian)
    np.testing.assert_array_equal(lut.table, ENTRIES)


def test_an_8_bit_table_of_neither_length_is_invalid():
    assert read_lut(lut_item([5, 0, 8], bytes(8)), ExplicitVRLittleEndian) is None


def test_a_signed_first_input_read_as_unsigned_is_reinterpreted_only_when_signed():
    item = lut_item([2, 2**16 - 2048, 16], [0, 65535])
    assert read_lut(item, ImplicitVRLittleEndian, signed=True).first == -2048
    assert read_lut(item, ImplicitVRLittleEndian).first == 2**16 - 2048


SQRT16 = np.rint(65535 * np.sqrt(np.arange(4096) / 4095)).astype(np.uint16)


@pytest.mark.parametrize(
    ("syntax", "descriptor_vr"),
    [(ImplicitVRLittleEndian, "SS"), (ExplicitVRLittleEndian, "US")],
)
def test_a_voi_lut_of_negative_inputs_is_shown(write_dx, syntax, descriptor_vr):
    # Pixels -1548 .. 1452 after the rescale; the table maps -2048 .. 2047 (PS3.3 C.11.2.1.1).
    # Implicit VR records no VR, so the descriptor reads as US; some writers write US.
    first = -2048 if descriptor_vr == "SS" else 2**16 - 2048
    item = lut_item([4096, first, 16], SQRT16.astype("<u2").tobytes(), descriptor_vr=descriptor_vr)
    stored = film()
    path = write_dx(
        stored, syntax=syntax, RescaleSlope=1, RescaleIntercept=-2048, VOILUTSequence=[item]
    )
    image = read_image(path)
    np.testing.assert_allclose(to_display(image), SQRT16[stored] / 65535, atol=1e-6)


def test_a_voi_lut_of_unsigned_values_keeps_a_first_input_above_32767(write_dx):
    stored = film() + 40000  # 16-bit unsigned data, 40500 .. 43500
    table = np.linspace(0, 65535, 4096).astype(np.uint16)
    path = write_dx(
        stored, bits_stored=16, VOILUTSequence=[lut_item([4096, 40000, 16], table.tolist())]
    )
    expected = table[np.clip(stored.astype(int) - 40000, 0, 4095)] / 65535
    np.testing.assert_allclose(to_display(read_image(path)), expected, atol=1e-6)


def test_after_a_modality_lut_table_the_voi_lut_input_is_unsigned(write_dx):
    # Signed stored values go through a Modality LUT whose outputs are 40000 + 2 * index:
    # the VOI LUT maps those outputs, unsigned, from 40000 up.
    stored = film().astype(np.int16) - 2048  # -1548 .. 1452
    modality = lut_item([4096, 2**16 - 2048, 16], (40000 + 2 * np.arange(4096)).tolist())
    voi_table = np.linspace(0, 65535, 8192).astype(np.uint16)
    path = write_dx(
        stored,
        ModalityLUTSequence=[modality],
        VOILUTSequence=[lut_item([8192, 40000, 16], voi_table.tolist())],
    )
    image = read_image(path)
    np.testing.assert_array_equal(image.pixels, 40000 + 2 * (stored.astype(int) + 2048))
    expected = voi_table[2 * (stored.astype(int) + 2048)] / 65535
    np.testing.assert_allclose(to_display(image), expected, atol=1e-6)


def test_a_packed_8_bit_voi_lut_is_shown(write_dx):
    stored = film()
    table = np.rint(255 * np.sqrt(np.arange(4096) / 4095)).astype(np.uint8)
    path = write_dx(stored, VOILUTSequence=[lut_item([4096, 0, 8], table.tobytes())])
    np.testing.assert_allclose(to_display(read_image(path)), table[stored] / 255, atol=1e-6)


def test_a_packed_8_bit_modality_lut_gives_the_pixel_values(write_dx):
    stored = film()
    table = (np.arange(4096) // 16).astype(np.uint8)
    item = lut_item([4096, 0, 8], table.tobytes())
    item.ModalityLUTType = "US"
    image = read_image(write_dx(stored, ModalityLUTSequence=[item]))
    np.testing.assert_array_equal(image.pixels, table[stored])
    assert image.mapping.bits_stored == 8


def test_an_unusable_voi_lut_is_ignored_with_a_warning(write_dx):
    item = lut_item([4096, 0, 16], SQRT16[:100].astype("<u2").tobytes())
    path = write_dx(film(), VOILUTSequence=[item])
    with pytest.warns(XrayWarning, match=r"invalid VOI LUT table ignored") as record:
        read_image(path)
    assert str(path) in str(record[0].message)
