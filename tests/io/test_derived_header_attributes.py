"""A derived DICOM's header: type 2 attributes, a Secondary Capture's pixel spacing, its
series date, its coded derivation and the implementation that wrote it."""

import numpy as np
import pydicom
import pytest
from pydicom.uid import DigitalXRayImageStorageForPresentation, SecondaryCaptureImageStorage

from core.io import read_image, write_derived_dicom
from core.io.dicom_write import new_dataset

STORED = np.random.default_rng(1).integers(0, 4096, size=(8, 8), dtype=np.uint16)


def derived(tmp_path, source, name="out.dcm", **options):
    out = write_derived_dicom(read_image(source), tmp_path / name, description="done", **options)
    return pydicom.dcmread(out)


def test_type_2_attributes_the_source_lacks_are_present_and_empty(tmp_path, write_dx):
    source = pydicom.dcmread(write_dx(STORED, PatientName="DOE^JO"))
    for keyword in ("PatientID", "StudyID", "ViewPosition", "InstanceNumber", "SeriesNumber"):
        delattr(source, keyword)
    source.save_as(tmp_path / "nopid.dcm")
    ds = derived(tmp_path, tmp_path / "nopid.dcm")
    for keyword in ("PatientID", "StudyID", "ViewPosition", "InstanceNumber", "SeriesNumber"):
        assert keyword in ds and ds[keyword].value in (None, "")
    assert ds.PatientName == "DOE^JO"  # present values are kept


def test_a_dx_image_gets_its_detector_type(tmp_path, write_dx):
    source = pydicom.dcmread(write_dx(STORED))
    source.SOPClassUID = source.file_meta.MediaStorageSOPClassUID = (
        DigitalXRayImageStorageForPresentation
    )
    source.save_as(tmp_path / "dx.dcm")
    ds = derived(tmp_path, tmp_path / "dx.dcm")
    assert "DetectorType" in ds and not ds.DetectorType


@pytest.mark.parametrize(
    ("factor", "spacing", "calibration"),
    [(None, [0.2, 0.3], None), (1.25, [0.16, 0.24], "GEOMETRY")],
)
def test_a_secondary_capture_of_a_multi_frame_image_has_pixel_spacing(
    tmp_path, three_frame_dicom, factor, spacing, calibration
):
    source = pydicom.dcmread(three_frame_dicom)
    source.ImagerPixelSpacing = [0.2, 0.3]
    if factor is not None:
        source.EstimatedRadiographicMagnificationFactor = factor
    source.save_as(tmp_path / "mf.dcm")
    ds = derived(tmp_path, tmp_path / "mf.dcm")
    assert ds.SOPClassUID == SecondaryCaptureImageStorage
    np.testing.assert_allclose([float(v) for v in ds.PixelSpacing], spacing)
    assert ds.get("PixelSpacingCalibrationType") == calibration
    assert ("PixelSpacingCalibrationDescription" in ds) == (calibration is not None)


def test_the_derived_series_is_dated_now_and_the_acquisition_kept(tmp_path, write_dx):
    source = write_dx(
        STORED, SeriesDate="20010101", SeriesTime="080000", AcquisitionDate="20010101"
    )
    ds = derived(tmp_path, source)
    assert ds.SeriesDate != "20010101" and ds.SeriesTime != "080000"
    assert (ds.SeriesDate, ds.SeriesTime) == (ds.ContentDate, ds.ContentTime)
    assert ds.AcquisitionDate == "20010101"


def test_the_derivation_and_its_source_are_coded(tmp_path, write_dx):
    source = write_dx(STORED)
    (purpose,) = derived(tmp_path, source).SourceImageSequence[0].PurposeOfReferenceCodeSequence
    assert (purpose.CodeValue, purpose.CodingSchemeDesignator) == ("121322", "DCM")
    (derivation,) = derived(tmp_path, source, "d.dcm").DerivationCodeSequence
    assert (derivation.CodeValue, derivation.CodeMeaning) == ("113087", "Smoothing")
    simulated = derived(tmp_path, source, "s.dcm", operation="simulated 10 % dose", dose=0.1)
    assert "DerivationCodeSequence" not in simulated  # no code of CID 7203 says it


def test_files_name_this_program_as_their_implementation(tmp_path, write_dx):
    meta = derived(tmp_path, write_dx(STORED)).file_meta
    assert meta.ImplementationVersionName.startswith("XRAYDENOISE_")
    assert len(meta.ImplementationVersionName) <= 16
    assert meta.ImplementationClassUID.startswith("2.25.")
    new = new_dataset(
        STORED,
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="",
        description="",
        modality="OT",
        window=None,
    )
    assert new.file_meta.ImplementationVersionName == meta.ImplementationVersionName
