"""A frame written from a legacy multi-frame XA states its own angles, not frame 1's.

The XA positioner's angles are the first frame's, and its increments (one value per
frame, or an average) give the others' (PS3.3 C.8.7.5.1.3); the table's increments are
per frame too (C.8.7.4). A derived frame 3 kept frame 1's PositionerPrimaryAngle and the
increment vectors while NumberOfFrames and FrameIncrementPointer went. It now has frame
3's angle where the increments give it, no angle where they do not (an average increment
is nominal), none of the vectors, nor any other attribute the pointer names, and a
STATIC positioner and table (a single frame's, C.8.7.5.1.1).
"""

import numpy as np
import pydicom
import pytest
from pydicom.uid import UID

from core.io import read_image, write_derived_dicom
from core.io.dicom_write import write_dataset

XA = UID("1.2.840.10008.5.1.4.1.1.12.1")
FRAMES = 3
VECTORS = (
    "PositionerPrimaryAngleIncrement",
    "PositionerSecondaryAngleIncrement",
    "TableVerticalIncrement",
    "TableLateralIncrement",
    "TableLongitudinalIncrement",
)


def rotation(frames_dataset, tmp_path, **attributes):
    """A 3-frame XA of a rotation from RAO 30 and CRA 10, the table sliding."""
    rng = np.random.default_rng(5)
    frames = rng.integers(500, 3000, size=(FRAMES, 24, 24), dtype=np.uint16)
    ds = frames_dataset(frames, patient_id="XA-3", description="rotation", modality="XA")
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = XA
    ds.PositionerMotion = "DYNAMIC"
    ds.PositionerPrimaryAngle = -30.0
    ds.PositionerSecondaryAngle = 10.0
    ds.PositionerPrimaryAngleIncrement = [0.0, 5.0, 12.5]
    ds.PositionerSecondaryAngleIncrement = [0.0, -1.0, -2.0]
    ds.TableMotion = "DYNAMIC"
    ds.TableVerticalIncrement = [0.0, 0.0, 0.0]
    ds.TableLateralIncrement = [0.0, 1.0, 2.0]
    ds.TableLongitudinalIncrement = [0.0, 4.0, 8.0]
    ds.FrameTime = 100.0
    ds.FrameIncrementPointer = [0x00181063, 0x00181520, 0x00181521]
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return write_dataset(ds, tmp_path / "xa.dcm")


def derived(tmp_path, path, frame):
    image = read_image(path, frame=frame)
    out = write_derived_dicom(image, tmp_path / f"frame{frame}.dcm", description="denoised")
    return pydicom.dcmread(out)


@pytest.mark.parametrize(("frame", "primary", "secondary"), [(0, -30, 10), (2, -17.5, 8)])
def test_the_frame_has_its_own_positioner_angles(
    frames_dataset, tmp_path, frame, primary, secondary
):
    ds = derived(tmp_path, rotation(frames_dataset, tmp_path), frame)
    assert float(ds.PositionerPrimaryAngle) == pytest.approx(primary)
    assert float(ds.PositionerSecondaryAngle) == pytest.approx(secondary)
    assert ds.SourceImageSequence[0].ReferencedFrameNumber == frame + 1


def test_no_per_frame_vector_stays(frames_dataset, tmp_path):
    ds = derived(tmp_path, rotation(frames_dataset, tmp_path), 2)
    for keyword in (*VECTORS, "FrameTime", "FrameIncrementPointer", "NumberOfFrames"):
        assert keyword not in ds
    assert ds.PositionerMotion == "STATIC" and ds.TableMotion == "STATIC"


def test_an_average_increment_leaves_only_the_first_frame_its_angle(frames_dataset, tmp_path):
    path = rotation(
        frames_dataset,
        tmp_path,
        PositionerPrimaryAngleIncrement=5.0,
        FrameIncrementPointer=0x00181063,
    )
    assert float(derived(tmp_path, path, 0).PositionerPrimaryAngle) == -30
    later = derived(tmp_path, path, 2)
    assert "PositionerPrimaryAngle" not in later  # -20 only nominally
    assert "PositionerPrimaryAngleIncrement" not in later
    assert float(later.PositionerSecondaryAngle) == pytest.approx(8)


def test_any_attribute_the_pointer_names_goes(frames_dataset, tmp_path):
    """A vendor's pointer to a per-frame attribute of its own making is followed too."""
    path = rotation(frames_dataset, tmp_path, FrameIncrementPointer=[0x00181063, 0x00181153])
    ds = pydicom.dcmread(path)
    ds.ExposureInuAs = [100, 110, 120]  # one a frame, as the pointer says
    ds.save_as(path, enforce_file_format=True)
    assert "ExposureInuAs" not in derived(tmp_path, path, 1)
