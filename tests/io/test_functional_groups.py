"""Enhanced multi-frame files: each frame's functional groups give its rescale, window, spacing."""

import hashlib

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_modality_lut
from pydicom.uid import (
    EnhancedXAImageStorage,
    ExplicitVRLittleEndian,
    SecondaryCaptureImageStorage,
    generate_uid,
)

from core.image import Window
from core.io import read_image, write_image

FRAMES = 3


def _item(**attributes: object) -> Dataset:
    item = Dataset()
    for keyword, value in attributes.items():
        setattr(item, keyword, value)
    return item


def enhanced_xa() -> Dataset:
    """Three 12-bit frames; shared spacing, rescale and window; frames 1 and 2 override some."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = EnhancedXAImageStorage
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality, ds.PatientID = "XA", "SYN"
    rows, cols = np.mgrid[0:24, 0:32]
    frames = [(rows * 61 + cols * 17 + 500 * k) % 4096 for k in range(FRAMES)]
    ds.set_pixel_data(np.array(frames, dtype=np.uint16), "MONOCHROME2", 12)
    ds.NumberOfFrames = FRAMES
    ds.ImagerPixelSpacing = [0.15, 0.15]
    shared = _item(
        PixelMeasuresSequence=[_item(PixelSpacing=[0.2, 0.3])],
        PixelValueTransformationSequence=[
            _item(RescaleSlope=2, RescaleIntercept=-1000, RescaleType="US")
        ],
        FrameVOILUTSequence=[_item(WindowCenter=3000, WindowWidth=2000)],
    )
    ds.SharedFunctionalGroupsSequence = [shared]
    ds.PerFrameFunctionalGroupsSequence = [Dataset() for _ in range(FRAMES)]
    ds.PerFrameFunctionalGroupsSequence[1].PixelValueTransformationSequence = [
        _item(RescaleSlope=0.5, RescaleIntercept=100, RescaleType="US")
    ]
    ds.PerFrameFunctionalGroupsSequence[2].FrameVOILUTSequence = [
        _item(
            WindowCenter=[400, 800],
            WindowWidth=[200, 600],
            WindowCenterWidthExplanation=["NARROW", "WIDE"],
            VOILUTFunction="SIGMOID",
        )
    ]
    return ds


def frame_rescale(ds: Dataset, frame: int) -> Dataset:
    """The frame's PixelValueTransformationSequence item: its own, else the shared one."""
    own = ds.PerFrameFunctionalGroupsSequence[frame].get("PixelValueTransformationSequence")
    return (own or ds.SharedFunctionalGroupsSequence[0].PixelValueTransformationSequence)[0]


@pytest.fixture
def enhanced_path(tmp_path):
    path = tmp_path / "enhanced_xa.dcm"
    enhanced_xa().save_as(path, enforce_file_format=True)
    return path


@pytest.mark.parametrize("frame", range(FRAMES))
def test_pixels_are_rescaled_by_the_frame_s_own_or_the_shared_transformation(enhanced_path, frame):
    ds = pydicom.dcmread(enhanced_path)
    rescale = frame_rescale(ds, frame)
    image = read_image(enhanced_path, frame=frame)
    expected = apply_modality_lut(ds.pixel_array[frame], rescale)
    np.testing.assert_allclose(image.pixels, expected, rtol=1e-6)
    assert image.mapping.slope == rescale.RescaleSlope
    assert image.mapping.intercept == rescale.RescaleIntercept
    assert image.metadata["RescaleSlope"] == rescale.RescaleSlope


def test_window_and_spacing_come_from_the_frame_s_functional_groups(enhanced_path):
    shared = read_image(enhanced_path, frame=0)
    assert shared.file_windows == (Window(center=3000.0, width=2000.0),)
    assert shared.window == Window(center=3000.0, width=2000.0)
    assert shared.pixel_spacing == (0.2, 0.3)

    own = read_image(enhanced_path, frame=2)
    assert own.file_windows == (
        Window(center=400.0, width=200.0, function="SIGMOID", explanation="NARROW"),
        Window(center=800.0, width=600.0, function="SIGMOID", explanation="WIDE"),
    )
    assert own.pixel_spacing == (0.2, 0.3)


def test_the_top_level_stays_where_no_functional_group_has_the_macro(tmp_path):
    ds = enhanced_xa()
    del ds.SharedFunctionalGroupsSequence[0].FrameVOILUTSequence
    del ds.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence
    ds.WindowCenter, ds.WindowWidth = 1000, 500
    path = tmp_path / "partial.dcm"
    ds.save_as(path, enforce_file_format=True)

    image = read_image(path, frame=0)
    assert image.window == Window(center=1000.0, width=500.0)
    assert image.pixel_spacing == (0.15, 0.15)
    assert (image.mapping.slope, image.mapping.intercept) == (2.0, -1000.0)


def test_a_frame_voi_lut_table_is_the_frame_s_voi_lut(tmp_path):
    ds = enhanced_xa()
    lut = Dataset()
    lut.add_new("LUTDescriptor", "US", [256, 0, 8])
    lut.add_new("LUTData", "US", list(range(255, -1, -1)))
    ds.SharedFunctionalGroupsSequence[0].FrameVOILUTSequence = [_item(VOILUTSequence=[lut])]
    path = tmp_path / "voi_lut.dcm"
    ds.save_as(path, enforce_file_format=True)

    image = read_image(path, frame=0)
    assert image.file_windows == ()
    np.testing.assert_array_equal(image.voi_lut, np.arange(255, -1, -1))


def test_the_derived_frame_carries_its_spacing_rescale_and_window(tmp_path, enhanced_path):
    before = hashlib.sha256(enhanced_path.read_bytes()).hexdigest()
    image = read_image(enhanced_path, frame=1)
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    assert hashlib.sha256(enhanced_path.read_bytes()).hexdigest() == before

    ds = pydicom.dcmread(out)
    assert ds.SOPClassUID == SecondaryCaptureImageStorage
    for keyword in (
        "NumberOfFrames",
        "SharedFunctionalGroupsSequence",
        "PerFrameFunctionalGroupsSequence",
    ):
        assert keyword not in ds
    assert [float(v) for v in ds.PixelSpacing] == [0.2, 0.3]
    assert (ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType) == (0.5, 100, "US")
    assert (ds.WindowCenter, ds.WindowWidth) == (3000, 2000)

    back = read_image(out)
    np.testing.assert_allclose(back.pixels, image.pixels, rtol=1e-6)
    assert back.pixel_spacing == image.pixel_spacing
    assert back.window == image.window


def test_functional_groups_without_number_of_frames_still_give_a_secondary_capture(tmp_path):
    ds = enhanced_xa()
    ds.set_pixel_data(ds.pixel_array[0], "MONOCHROME2", 12)
    assert "NumberOfFrames" not in ds
    ds.PerFrameFunctionalGroupsSequence = ds.PerFrameFunctionalGroupsSequence[:1]
    path = tmp_path / "one_frame.dcm"
    ds.save_as(path, enforce_file_format=True)

    out = write_image(read_image(path), tmp_path / "derived.dcm", description="denoised")
    derived = pydicom.dcmread(out)
    assert derived.SOPClassUID == SecondaryCaptureImageStorage
    assert derived.ConversionType == "WSD"
    assert derived.RescaleSlope == 2
