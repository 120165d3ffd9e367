"""A DICOM of floating-point pixels is refused for what it is, not called truncated.

A file with FloatPixelData or DoubleFloatPixelData (a Parametric Map, say) and no
PixelData was refused as "the pixel data is missing (the file may be truncated)". It is
now refused as floating-point pixel data, which the reader does not support, in one line
of the command line, with no traceback.
"""

import numpy as np
import pydicom
import pytest

from core.cli import main
from core.errors import ImageReadError
from core.io import read_image

KEYWORDS = {"FloatPixelData": (np.float32, 32), "DoubleFloatPixelData": (np.float64, 64)}


@pytest.fixture(params=sorted(KEYWORDS))
def float_dicom(request, write_dx):
    keyword = request.param
    dtype, bits = KEYWORDS[keyword]
    ds = pydicom.dcmread(write_dx(np.zeros((16, 16), np.uint16)))
    del ds.PixelData, ds.BitsStored, ds.HighBit, ds.PixelRepresentation
    ds.BitsAllocated = bits
    setattr(ds, keyword, np.linspace(0, 1, 256, dtype=dtype).tobytes())
    ds.save_as(ds.filename, enforce_file_format=True)
    return ds.filename, keyword


def test_the_reader_names_the_float_pixel_data(float_dicom):
    path, keyword = float_dicom
    with pytest.raises(ImageReadError) as refused:
        read_image(path)
    assert str(refused.value) == (
        f"{path}: floating-point pixel data ({keyword}) are not supported: only integer "
        "pixel data (PixelData) are read"
    )


def test_the_command_line_says_so_in_one_line(float_dicom, capsys):
    path, keyword = float_dicom
    assert main(["info", str(path)]) == 2
    error = capsys.readouterr().err
    assert error == (
        f"xray-denoise: error: {path}: floating-point pixel data ({keyword}) are not "
        "supported: only integer pixel data (PixelData) are read\n"
    )
    assert "Traceback" not in error and "truncated" not in error
