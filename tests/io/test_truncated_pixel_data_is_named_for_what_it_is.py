"""A file cut short in its pixel data says so, single-frame and compressed files included.

A single-frame native file gave pydicom's own words ("The number of bytes of pixel data
is less than expected ... invalid group 0028 ..."), where a multi-frame one said "the
pixel data is truncated"; a cut RLE or JPEG 2000 file said "no DICOM data could be read",
although its header reads whole.
"""

import numpy as np
import pydicom
import pytest
from pydicom.uid import RLELossless

from core.errors import ImageReadError
from core.io import read_image


def written(tmp_path, write_dx, syntax=None):
    stored = (np.arange(128 * 128, dtype=np.uint16).reshape(128, 128) * 7) % 4096
    path = write_dx(stored, name="whole.dcm")
    if syntax is not None:
        ds = pydicom.dcmread(path)
        ds.compress(syntax)
        ds.save_as(path)
    return path


def cut(path, keep):
    data = path.read_bytes()
    short = path.with_name("cut.dcm")
    short.write_bytes(data[: int(len(data) * keep)])
    return short


def test_a_single_frame_native_file_cut_short_says_how_much_it_holds(tmp_path, write_dx):
    whole = written(tmp_path, write_dx)
    assert read_image(whole).shape == (128, 128)
    short = whole.with_name("cut.dcm")
    short.write_bytes(whole.read_bytes()[:-12768])
    with pytest.raises(ImageReadError) as refused:
        read_image(short)
    assert refused.value.reason == (
        "the pixel data is truncated: 20000 of the 32768 bytes the image needs (the file may "
        "have been cut short)"
    )


@pytest.mark.filterwarnings("ignore:End of file reached:UserWarning")
@pytest.mark.parametrize("keep", [0.7, 0.9, 0.99])
def test_a_compressed_file_cut_in_its_pixel_data_says_so(tmp_path, write_dx, keep):
    whole = written(tmp_path, write_dx, RLELossless)
    assert read_image(whole).shape == (128, 128)
    with pytest.raises(ImageReadError) as refused:
        read_image(cut(whole, keep))
    assert refused.value.reason.startswith("the compressed pixel data is truncated or corrupt")


@pytest.mark.filterwarnings("ignore:End of file reached:UserWarning")
def test_a_jpeg_2000_file_cut_in_its_pixel_data_says_so(tmp_path, shipped):
    data = shipped("693_J2KI.dcm").read_bytes()
    path = tmp_path / "cut.dcm"
    path.write_bytes(data[:-1000])
    with pytest.raises(ImageReadError) as refused:
        read_image(path)
    assert refused.value.reason.startswith("the compressed pixel data is truncated or corrupt")


def test_a_file_cut_in_its_header_still_says_nothing_could_be_read(tmp_path, write_dx):
    whole = written(tmp_path, write_dx)
    short = whole.with_name("cut.dcm")
    short.write_bytes(whole.read_bytes()[:300])
    with pytest.raises(ImageReadError) as refused:
        read_image(short)
    assert "truncated" in refused.value.reason
