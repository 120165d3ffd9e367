"""A frame written as a single-frame image keeps none of its source's frame attributes.

Concatenation, dimension, representative-frame and mask-subtraction attributes describe
the source's frames: copied into a one-frame Secondary Capture, they name frames and a
concatenation it is not part of.
"""

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import (
    UID,
    DigitalXRayImageStorageForPresentation,
    SecondaryCaptureImageStorage,
    generate_uid,
)

from core.io import read_image, write_derived_dicom
from core.io.dicom_write import new_dataset, write_dataset

ENHANCED_XA = UID("1.2.840.10008.5.1.4.1.1.12.1.1")
XA = UID("1.2.840.10008.5.1.4.1.1.12.1")
FRAMES = 3

CONCATENATION = (
    "ConcatenationUID",
    "SOPInstanceUIDOfConcatenationSource",
    "InConcatenationNumber",
    "InConcatenationTotalNumber",
    "ConcatenationFrameOffsetNumber",
)
DIMENSIONS = (
    "DimensionIndexSequence",
    "DimensionOrganizationSequence",
    "DimensionOrganizationType",
)
FRAME_CHOICES = (
    "RepresentativeFrameNumber",
    "FrameOfInterestDescription",
    "FrameOfInterestType",
    "FrameLabelVector",
    "PreferredPlaybackSequencing",
)
MASK = ("MaskSubtractionSequence", "RecommendedViewingMode")


def _source(sop_class: UID) -> Dataset:
    """A 12-bit XA of three 32 x 32 frames."""
    rng = np.random.default_rng(9)
    frames = rng.integers(1000, 3000, size=(FRAMES, 32, 32), dtype=np.uint16)
    ds = new_dataset(
        frames[0],
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=(0.2, 0.2),
        patient_name="",
        patient_id="XA-1",
        description="run 1",
        modality="XA",
        window=None,
    )
    ds.set_pixel_data(frames, "MONOCHROME2", 12)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = sop_class
    return ds


def _classic_xa(path):
    """A classic multi-frame XA with a representative frame and a mask subtraction."""
    ds = _source(XA)
    ds.FrameIncrementPointer = 0x00181063
    ds.FrameTime = 66.7
    ds.PreferredPlaybackSequencing = 0
    ds.RepresentativeFrameNumber = 3
    ds.FrameLabelVector = ["a", "b", "c"]
    ds.FrameOfInterestDescription = ["contrast"]
    ds.FrameOfInterestType = ["DYNAMIC"]
    mask = Dataset()
    mask.MaskOperation = "AVG_SUB"
    mask.MaskFrameNumbers = [1]
    mask.ContrastFrameAveraging = [2]
    ds.MaskSubtractionSequence = [mask]
    ds.RecommendedViewingMode = "SUB"
    return write_dataset(ds, path)


def _enhanced_xa(path):
    """An Enhanced XA in functional groups, indexed by a dimension, one of a concatenation."""
    ds = _source(ENHANCED_XA)
    ds.ImageType = ["ORIGINAL", "PRIMARY", "SINGLE PLANE", "NONE"]
    shared = Dataset()
    measures = Dataset()
    measures.PixelSpacing = [0.2, 0.2]
    shared.PixelMeasuresSequence = [measures]
    ds.SharedFunctionalGroupsSequence = [shared]
    per_frame = []
    for i in range(FRAMES):
        content = Dataset()
        content.FrameAcquisitionNumber = i + 1
        content.DimensionIndexValues = [i + 1]
        item = Dataset()
        item.FrameContentSequence = [content]
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = per_frame
    index = Dataset()
    index.DimensionIndexPointer = 0x00209157
    index.FunctionalGroupPointer = 0x00209111
    index.DimensionOrganizationUID = generate_uid()
    ds.DimensionIndexSequence = [index]
    organization = Dataset()
    organization.DimensionOrganizationUID = index.DimensionOrganizationUID
    ds.DimensionOrganizationSequence = [organization]
    ds.DimensionOrganizationType = "3D"
    ds.ConcatenationUID = generate_uid()
    ds.SOPInstanceUIDOfConcatenationSource = generate_uid()
    ds.InConcatenationNumber = 1
    ds.InConcatenationTotalNumber = 2
    ds.ConcatenationFrameOffsetNumber = 0
    return write_dataset(ds, path)


@pytest.mark.parametrize(
    ("make", "keywords"),
    [
        (_classic_xa, ("NumberOfFrames", "FrameTime", *FRAME_CHOICES, *MASK)),
        (_enhanced_xa, ("SharedFunctionalGroupsSequence", *DIMENSIONS, *CONCATENATION)),
    ],
    ids=["classic XA", "enhanced XA"],
)
def test_no_frame_attribute_reaches_the_secondary_capture(tmp_path, make, keywords):
    source = make(tmp_path / "source.dcm")
    assert all(keyword in pydicom.dcmread(source) for keyword in keywords)
    for frame in range(FRAMES):
        out = tmp_path / f"frame{frame + 1}.dcm"
        write_derived_dicom(read_image(source, frame=frame), out, description="denoised")
        ds = pydicom.dcmread(out)
        assert ds.SOPClassUID == SecondaryCaptureImageStorage
        assert [keyword for keyword in keywords if keyword in ds] == []
        assert ds.SourceImageSequence[0].ReferencedFrameNumber == frame + 1  # said here


def test_a_single_frame_source_keeps_its_class_and_attributes(tmp_path):
    ds = new_dataset(
        np.full((32, 32), 1500, dtype=np.uint16),
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="DX-1",
        description="chest",
        modality="DX",
        window=None,
    )
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = DigitalXRayImageStorageForPresentation
    ds.ImagerPixelSpacing = [0.15, 0.15]
    ds.DetectorType = "SCINTILLATOR"
    source = write_dataset(ds, tmp_path / "dx.dcm")
    before = set(pydicom.dcmread(source).dir())
    out = write_derived_dicom(read_image(source), tmp_path / "out.dcm", description="denoised")
    derived = pydicom.dcmread(out)
    assert derived.SOPClassUID == DigitalXRayImageStorageForPresentation
    assert before - set(derived.dir()) == set()  # nothing of a single frame removed
