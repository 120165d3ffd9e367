"""The GUI batch writes the images of one source series into one derived series."""

import pydicom
import pytest
from pydicom.uid import generate_uid

from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job

pytestmark = pytest.mark.gui


def test_a_batch_of_one_series_gives_one_derived_series(
    tmp_path, small_dicom, tiny_model_path, drain
):
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    series = generate_uid()
    for number, name in enumerate(("a.dcm", "b.dcm"), start=4):
        ds = pydicom.dcmread(small_dicom)
        ds.SeriesInstanceUID, ds.InstanceNumber = series, number
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.save_as(source / name, enforce_file_format=True)
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
    drain(batch_job(source, target, options))
    a, b = (pydicom.dcmread(target / f"{stem}_denoised.dcm") for stem in "ab")
    assert a.SeriesInstanceUID == b.SeriesInstanceUID != series
    assert [a.InstanceNumber, b.InstanceNumber] == [4, 5]
