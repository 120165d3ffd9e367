"""A compressed frame whose codestream holds more bits than BitsStored keeps its values."""

from pathlib import Path

import imagecodecs
import numpy as np
import pydicom
import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import JPEG2000Lossless, JPEGLSLossless

from core.errors import ImageReadError, XrayWarning
from core.io import read_image, write_image
from core.io.codestream import check_codestream
from core.io.dicom_write import new_dataset
from core.io.guards import fit_bits_stored

ENCODERS = {
    JPEG2000Lossless: lambda a: imagecodecs.jpeg2k_encode(
        a, level=0, codecformat="J2K", reversible=True
    ),
    JPEGLSLossless: imagecodecs.jpegls_encode,
}


def film(high: int) -> np.ndarray:
    """A 64 x 64 uint16 film from 0.15 to 1 times `high`."""
    rows, cols = np.mgrid[0:64, 0:64]
    return (high * (0.15 + 0.85 * ((rows * 7 + cols * 3) % 64) / 63)).astype(np.uint16)


def compressed(
    tmp_path: Path, codestream: bytes, syntax: str, *, bits_stored: int, bits_allocated: int = 16
) -> Path:
    """A 64 x 64 DICOM holding `codestream` as its one frame, under the header's bits."""
    ds = new_dataset(
        np.zeros((64, 64), np.uint8 if bits_allocated == 8 else np.uint16),
        photometric="MONOCHROME2",
        bits_stored=bits_stored,
        pixel_spacing=None,
        patient_name="",
        patient_id="SYN",
        description="codestream precision",
        modality="DX",
        window=None,
    )
    ds.PixelData = encapsulate([codestream])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = syntax
    path = tmp_path / "precision.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


@pytest.mark.parametrize("syntax", list(ENCODERS))
def test_a_16_bit_codestream_under_a_12_bit_header_is_read_as_16_bits(tmp_path, syntax):
    values = film(56000)  # the reviewer's case: 8400 .. 56000 in a "12-bit" file
    path = compressed(tmp_path, ENCODERS[syntax](values), syntax, bits_stored=12)
    with pytest.warns(XrayWarning, match=r"16-bit samples but BitsStored is 12") as record:
        image = read_image(path)
    assert str(path) in str(record[0].message)
    np.testing.assert_array_equal(image.pixels, values)
    assert image.mapping.bits_stored == 16
    assert image.data_range == 65535
    assert (image.metadata["BitsStored"], image.metadata["HighBit"]) == (16, 15)


@pytest.mark.parametrize("syntax", list(ENCODERS))
def test_the_unchanged_image_written_back_is_identical(tmp_path, syntax):
    values = film(56000)
    path = compressed(tmp_path, ENCODERS[syntax](values), syntax, bits_stored=12)
    with pytest.warns(XrayWarning):
        image = read_image(path)
    copy = write_image(image, tmp_path / "copy.dcm", description="unchanged copy")
    written = pydicom.dcmread(copy)
    assert (written.BitsStored, written.HighBit) == (16, 15)
    np.testing.assert_array_equal(read_image(copy).pixels, values)


def test_a_wide_codestream_whose_values_fit_bits_stored_is_read_as_declared(tmp_path):
    values = film(4095)  # 16-bit precision, but 12-bit values: nothing to say
    path = compressed(tmp_path, ENCODERS[JPEGLSLossless](values), JPEGLSLossless, bits_stored=12)
    ds = pydicom.dcmread(path)
    assert check_codestream(path, ds, JPEGLSLossless, 0, 1).precision == 16
    image = read_image(path)  # an XrayWarning would fail the test
    assert image.mapping.bits_stored == 12


def test_a_codestream_wider_than_bits_allocated_is_refused_before_decoding(tmp_path):
    values = film(56000)
    codestream = ENCODERS[JPEG2000Lossless](values)
    path = compressed(tmp_path, codestream, JPEG2000Lossless, bits_stored=8, bits_allocated=8)
    with pytest.raises(ImageReadError, match=r"holds 16-bit samples but BitsAllocated is 8"):
        read_image(path)


def test_values_beyond_bits_stored_take_the_fewest_bits_that_hold_them():
    stored = np.array([[0, 5000]], np.uint16)
    with pytest.warns(XrayWarning, match=r"values 0 \.\. 5000 read as 13-bit"):
        assert fit_bits_stored(Path("f.dcm"), stored, 12, signed=False, bits_allocated=16) == 13
    signed = np.array([[-3000, 100]], np.int16)
    with pytest.warns(XrayWarning, match=r"read as 13-bit"):
        assert fit_bits_stored(Path("f.dcm"), signed, 12, signed=True, bits_allocated=16) == 13
    assert fit_bits_stored(Path("f.dcm"), stored, 13, signed=False, bits_allocated=16) == 13


def test_values_beyond_bits_allocated_or_the_precision_are_refused():
    stored = np.array([[0, 70000]], np.int32)
    with pytest.raises(ImageReadError, match=r"0 \.\. 70000 do not fit in 16-bit"):
        fit_bits_stored(Path("f.dcm"), stored, 12, signed=False, bits_allocated=16)
    with pytest.raises(ImageReadError, match=r"do not fit in 14-bit"):
        fit_bits_stored(
            Path("f.dcm"), np.array([0, 20000]), 12, signed=False, bits_allocated=16, precision=14
        )
