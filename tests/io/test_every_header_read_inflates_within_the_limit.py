"""Every header read of a deflated DICOM inflates within the limit, not only the image read.

pydicom's ``dcmread`` inflates a deflated data set in one piece even with
``stop_before_pixels``: the header probes of a resumed batch, of the source records and of
training's patient table go through :func:`core.io.dicom_read.read_dataset` as well.
"""

import tracemalloc

import pydicom
import pytest
from pydicom.uid import DeflatedExplicitVRLittleEndian

from core.cli import denoise
from core.io import dicom_read, source_record
from core.training import data

LIMIT = 2 << 20


@pytest.fixture
def bomb(shipped, tmp_path, monkeypatch):
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    ds.private_block(0x0071, "XRAY TEST", create=True).add_new(0x10, "OB", bytes(8 * LIMIT))
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.save_as(tmp_path / "bomb.dcm")
    monkeypatch.setattr(dicom_read, "MAX_INFLATED_BYTES", LIMIT)
    return tmp_path / "bomb.dcm"


@pytest.mark.parametrize(
    "probe",
    [
        lambda path: denoise._dicom_header(path),
        lambda path: data.read_header(path),
        lambda path: source_record.denoised_by_this_program(path),
    ],
    ids=["resumed batch", "training's patient table", "source record"],
)
def test_a_header_probe_of_a_deflated_bomb_stays_within_the_limit(bomb, probe):
    tracemalloc.start()
    try:
        probe(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * LIMIT  # never the 16 MiB pydicom would inflate
