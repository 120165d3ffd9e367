"""A deflated data set is inflated a chunk at a time, and refused past a limit.

pydicom inflates the whole data set of a Deflated Explicit VR Little Endian file at once:
a 2 MB file of a 2 GiB private value took 4 GB. The reader inflates it itself, up to
``MAX_INFLATED_BYTES``; a derived image leaves out private values over ``PRIVATE_MAX``.
"""

import tracemalloc

import pydicom
import pytest
from pydicom.uid import DeflatedExplicitVRLittleEndian

from core.errors import ImageReadError, XrayWarning
from core.io import dicom_read, dicom_write, read_image, write_derived_dicom

LIMIT = 2 << 20


def _with_private(source, path, size, *, deflated=True):
    ds = pydicom.dcmread(source)
    block = ds.private_block(0x0071, "XRAY TEST", create=True)
    block.add_new(0x10, "OB", bytes(size))
    block.add_new(0x11, "OB", b"kept")
    if deflated:
        ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.save_as(path)
    return path


def test_a_data_set_that_inflates_past_the_limit_is_refused_before_it_is_whole(
    shipped, tmp_path, monkeypatch
):
    path = _with_private(shipped("CT_small.dcm"), tmp_path / "bomb.dcm", 8 * LIMIT)
    assert path.stat().st_size < LIMIT // 8  # zeros deflate to almost nothing
    monkeypatch.setattr(dicom_read, "MAX_INFLATED_BYTES", LIMIT)
    tracemalloc.start()
    try:
        with pytest.raises(ImageReadError, match="its deflated data set expands past") as info:
            read_image(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "\n" not in str(info.value)
    assert peak < 3 * LIMIT  # never the 16 MiB pydicom would inflate


def test_a_data_set_within_the_limit_reads_as_pydicom_reads_it(shipped, tmp_path, monkeypatch):
    path = _with_private(shipped("CT_small.dcm"), tmp_path / "fine.dcm", LIMIT // 4)
    monkeypatch.setattr(dicom_read, "MAX_INFLATED_BYTES", LIMIT)
    image = read_image(path)
    expected = pydicom.dcmread(path)
    assert image.metadata["TransferSyntaxUID"] == DeflatedExplicitVRLittleEndian
    assert image.dataset.file_meta.TransferSyntaxUID == DeflatedExplicitVRLittleEndian
    assert image.dataset.PatientName == expected.PatientName
    assert image.dataset[0x0071, 0x1010].value == bytes(LIMIT // 4)


def test_a_derived_image_leaves_out_a_large_private_value(shipped, tmp_path, monkeypatch):
    source = _with_private(shipped("CT_small.dcm"), tmp_path / "s.dcm", 4096, deflated=False)
    image = read_image(source)
    monkeypatch.setattr(dicom_write, "PRIVATE_MAX", 3000)
    with pytest.warns(XrayWarning, match=r"private element \(0071,1010\) .* left out"):
        written = write_derived_dicom(image, tmp_path / "d.dcm", description="test")
    derived = pydicom.dcmread(written)
    assert (0x0071, 0x1010) not in derived
    assert derived[0x0071, 0x1011].value == b"kept"
    assert image.dataset[0x0071, 0x1010].value == bytes(4096)  # the source's header kept
