"""A deflated data set larger than the fixed limit is read where its file is as large.

A many-frame deflated series (tomosynthesis: 1.44 GB from 36 MB) inflates past the
limit of one frame's size; it is read up to ``MAX_INFLATION`` times its file's size,
where a bomb of zeros (a thousand to one) is still refused.
"""

import numpy as np
import pydicom
import pytest
from pydicom.uid import DeflatedExplicitVRLittleEndian

from core.errors import ImageReadError
from core.io import dicom_read, read_image

LIMIT = 1 << 20


def _deflated(source, path, private: bytes):
    ds = pydicom.dcmread(source)
    ds.private_block(0x0071, "XRAY TEST", create=True).add_new(0x10, "OB", private)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.save_as(path)
    return path


def test_a_data_set_past_the_limit_that_deflates_little_is_read(shipped, tmp_path, monkeypatch):
    noise = np.random.default_rng(0).integers(0, 256, 4 * LIMIT, dtype=np.uint8).tobytes()
    path = _deflated(shipped("CT_small.dcm"), tmp_path / "series.dcm", noise)
    monkeypatch.setattr(dicom_read, "MAX_INFLATED_BYTES", LIMIT)
    assert read_image(path).dataset[0x0071, 0x1010].value == noise


def test_a_data_set_of_zeros_past_the_limit_is_still_refused(shipped, tmp_path, monkeypatch):
    path = _deflated(shipped("CT_small.dcm"), tmp_path / "bomb.dcm", bytes(256 * LIMIT))
    monkeypatch.setattr(dicom_read, "MAX_INFLATED_BYTES", LIMIT)
    with pytest.raises(ImageReadError, match="its deflated data set expands past"):
        read_image(path)
