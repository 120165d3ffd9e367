"""A phantom of 16 to 31 pixels, too small for the JPEG 2000 encoder, is written RLE.

Both are lossless; stderr says which was written, and why, in one line.
"""

import pydicom
import pytest
from pydicom.uid import JPEG2000Lossless, RLELossless

from core.cli import main
from core.io import read_image
from core.noise import phantom_image


@pytest.mark.parametrize("size", [16, 31])
def test_a_phantom_too_small_for_jpeg2000_is_written_rle_with_a_note(size, tmp_path, capsys):
    path = tmp_path / "small.dcm"
    assert main(["phantom", str(path), "--size", str(size)]) == 0
    assert capsys.readouterr().err == (
        f"xray-denoise: {path}: written RLE lossless, as JPEG 2000 needs at least 32 x 32 pixels\n"
    )
    assert pydicom.dcmread(path).file_meta.TransferSyntaxUID == RLELossless
    stored = read_image(path).mapping.to_stored(read_image(path).pixels)
    assert (stored == phantom_image((size, size))).all()


def test_a_phantom_of_32_pixels_is_jpeg2000_without_a_note(tmp_path, capsys):
    path = tmp_path / "p.dcm"
    assert main(["phantom", str(path), "--size", "32"]) == 0
    assert capsys.readouterr().err == ""
    assert pydicom.dcmread(path).file_meta.TransferSyntaxUID == JPEG2000Lossless


def test_a_phantom_below_16_pixels_is_refused_naming_the_option(tmp_path, capsys):
    assert main(["phantom", str(tmp_path / "p.dcm"), "--size", "15"]) == 2
    assert capsys.readouterr().err == (
        "xray-denoise: error: --size 15: the phantom must be at least 16 x 16 pixels\n"
    )
