import struct

import pytest

from core.io.codestream import j2k_is_irreversible


def j2k_header(transformation: int, *, before_cod: bytes = b"") -> bytes:
    """SOC, a minimal SIZ, optional segments, COD with `transformation`, then SOT."""
    siz = b"\xff\x51" + struct.pack(">H", 41) + bytes(34) + struct.pack(">H", 1) + b"\x0b\x01\x01"
    cod = b"\xff\x52" + struct.pack(">H", 12) + b"\x00\x00\x00\x01\x00" + b"\x05\x04\x04\x00"
    cod += bytes([transformation])
    return b"\xff\x4f" + siz + before_cod + cod + b"\xff\x90" + struct.pack(">H", 10) + bytes(8)


@pytest.mark.parametrize(("transformation", "irreversible"), [(0, True), (1, False)])
def test_the_cod_segment_says_which_wavelet(transformation, irreversible):
    comment = b"\xff\x64" + struct.pack(">H", 6) + b"\x00\x01ab"  # a COM segment first
    assert j2k_is_irreversible(j2k_header(transformation)) is irreversible
    assert j2k_is_irreversible(j2k_header(transformation, before_cod=comment)) is irreversible


def test_a_jp2_file_is_read_to_its_codestream():
    jp2 = b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\x00\x00\x00\x08jp2c"  # signature, box
    assert j2k_is_irreversible(jp2 + j2k_header(0))


@pytest.mark.parametrize("data", [b"", b"\xff\x4f", b"not a codestream", j2k_header(0)[:50]])
def test_a_header_without_a_readable_cod_is_not_called_irreversible(data):
    assert not j2k_is_irreversible(data)
