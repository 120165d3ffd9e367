"""An image every encoder refuses (JPEG 2000 under 32 px): one line, nothing written."""

import numpy as np
import pytest
from pydicom.uid import JPEG2000Lossless

from core.errors import ImageWriteError, error_line
from core.io import write_new_dicom


def test_a_refused_encoding_names_the_file_and_writes_nothing(tmp_path):
    path = tmp_path / "small.dcm"
    pixels = np.arange(16 * 16, dtype=np.uint16).reshape(16, 16)
    with pytest.raises(ImageWriteError) as raised:
        write_new_dicom(pixels, path, transfer_syntax=JPEG2000Lossless)
    line = error_line(raised.value)
    assert str(path) in line and "cannot encode" in line and "\n" not in line
    assert not path.exists() and list(tmp_path.iterdir()) == []
