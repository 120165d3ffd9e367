"""The threaded JPEG 2000 path gives pydicom's stored values, or declines."""

import numpy as np
import pydicom
import pytest
from pydicom.encaps import get_frame
from pydicom.pixels import pixel_array
from pydicom.uid import JPEG2000Lossless

from core.io import read_image
from core.io.jpeg2000 import decode_jpeg2000


def _first_codestream(ds: pydicom.Dataset) -> bytes:
    return get_frame(ds.PixelData, 0, number_of_frames=int(ds.get("NumberOfFrames", 1)))


@pytest.mark.parametrize("name", ["693_J2KI.dcm", "MR_small_jp2klossless.dcm", "JPEG2000.dcm"])
def test_decoded_values_are_pydicoms(shipped, name):
    ds = pydicom.dcmread(shipped(name))
    expected = pixel_array(ds, index=0)
    decoded = decode_jpeg2000(_first_codestream(ds), expected.shape, expected.dtype)
    assert decoded is not None
    np.testing.assert_array_equal(decoded, expected)


def test_signedness_unlike_the_header_is_left_to_pydicom(shipped):
    # The codestream holds unsigned values, the header says signed: pydicom corrects them.
    ds = pydicom.dcmread(shipped("J2K_pixelrep_mismatch.dcm"))
    assert decode_jpeg2000(_first_codestream(ds), (ds.Rows, ds.Columns), np.dtype("i2")) is None


def test_a_damaged_codestream_is_left_to_pydicom(shipped):
    ds = pydicom.dcmread(shipped("MR_small_jp2klossless.dcm"))
    damaged = _first_codestream(ds)[:200]
    assert decode_jpeg2000(damaged, (ds.Rows, ds.Columns), np.dtype("i2")) is None


def test_each_frame_of_a_multi_frame_file_is_its_own(three_frame_dicom, tmp_path):
    ds = pydicom.dcmread(three_frame_dicom)
    frames = ds.pixel_array
    ds.compress(JPEG2000Lossless, encoding_plugin="pylibjpeg")
    path = tmp_path / "j2k.dcm"
    ds.save_as(path)
    for index in range(3):
        np.testing.assert_array_equal(read_image(path, frame=index).pixels, frames[index])
