import hashlib
import os
import stat

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, apply_modality_lut

from core.display import auto_window, to_display
from core.errors import ImageReadError, XrayWarning
from core.image import Window
from core.io import read_image
from core.io.color import luma

# One file per transfer syntax the pylibjpeg plugins (or pydicom) decode.
GRAYSCALE_FILES = [
    "CT_small.dcm",  # Explicit VR Little Endian, signed, rescale
    "MR_small_implicit.dcm",  # Implicit VR Little Endian
    "MR_small_bigendian.dcm",  # Explicit VR Big Endian
    "image_dfl.dcm",  # Deflated Explicit VR Little Endian
    "MR_small_RLE.dcm",  # RLE Lossless
    "MR_small_jp2klossless.dcm",  # JPEG 2000 lossless
    "693_J2KI.dcm",  # JPEG 2000 (lossy), 14 bits signed
    "J2K_pixelrep_mismatch.dcm",  # JPEG 2000 whose signedness differs from the header
    "MR_small_jpeg_ls_lossless.dcm",  # JPEG-LS lossless
    "JPEGLSNearLossless_16.dcm",  # JPEG-LS near-lossless
    "JPGExtended.dcm",  # JPEG Extended, 12 bits
    "JPEG2000.dcm",  # JPEG 2000 with NumberOfFrames 1
]


@pytest.mark.parametrize("name", GRAYSCALE_FILES)
def test_pixels_equal_pydicom_after_the_modality_lut(shipped, name):
    ds = pydicom.dcmread(shipped(name))
    expected = apply_modality_lut(ds.pixel_array, ds).astype(np.float32)
    image = read_image(shipped(name))
    assert image.pixels.dtype == np.float32
    np.testing.assert_array_equal(image.pixels, expected)
    assert image.mapping.bits_stored == ds.BitsStored
    assert image.mapping.signed == (ds.PixelRepresentation == 1)
    np.testing.assert_array_equal(image.mapping.to_stored(image.pixels), ds.pixel_array)
    assert image.metadata["TransferSyntaxUID"] == ds.file_meta.TransferSyntaxUID
    assert image.source_format == "dicom"
    assert image.source_path == shipped(name)


def test_stored_mapping_carries_rescale(shipped):
    image = read_image(shipped("CT_small.dcm"))
    assert image.mapping.slope == 1.0
    assert image.mapping.intercept == -1024.0
    assert image.mapping.signed
    assert image.pixel_spacing == pytest.approx((0.661468, 0.661468))


def test_window_from_the_file(shipped):
    image = read_image(shipped("MR_small.dcm"))
    assert image.window == Window(center=600.0, width=1600.0)
    assert image.voi_lut is None


def test_without_a_window_the_default_is_the_percentile_window(shipped):
    image = read_image(shipped("CT_small.dcm"))
    assert "WindowCenter" not in pydicom.dcmread(shipped("CT_small.dcm"))
    assert image.window == auto_window(image.pixels)


@pytest.mark.parametrize("vr", ["US", "OW"])
def test_voi_lut_sequence_when_there_is_no_window(copy_of, vr):
    path = copy_of("MR_small.dcm")
    ds = pydicom.dcmread(path)
    del ds.WindowCenter, ds.WindowWidth
    item = Dataset()
    item.add_new("LUTDescriptor", "US", [256, 100, 8])
    table = np.arange(255, -1, -1, dtype="<u2")  # an inverting table
    item.add_new("LUTData", vr, table.tolist() if vr == "US" else table.tobytes())
    ds.VOILUTSequence = [item]
    ds.save_as(path)

    image = read_image(path)
    assert image.voi_lut_first == 100
    assert image.voi_lut_bits == 8
    np.testing.assert_array_equal(image.voi_lut, np.arange(255, -1, -1))
    index = np.clip(np.rint(image.pixels) - 100, 0, 255)
    np.testing.assert_allclose(to_display(image), (255 - index) / 255, atol=1e-6)


def test_multi_frame_reads_the_chosen_frame(shipped):
    ds = pydicom.dcmread(shipped("rtdose.dcm"))
    image = read_image(shipped("rtdose.dcm"), frame=3)
    assert image.n_frames == 15
    assert image.frame == 3
    np.testing.assert_array_equal(image.pixels, ds.pixel_array[3].astype(np.float32))


@pytest.mark.parametrize("frame", [15, -1, 1.0, True])
def test_bad_frame_index_is_a_read_error(shipped, frame):
    with pytest.raises(ImageReadError, match="frame"):
        read_image(shipped("rtdose.dcm"), frame=frame)


def test_metadata_has_plain_values(shipped):
    image = read_image(shipped("CT_small.dcm"))
    meta = image.metadata
    assert meta["Modality"] == "CT"
    assert meta["TransferSyntaxName"] == "Explicit VR Little Endian"
    assert meta["PatientName"] == "CompressedSamples^CT1"
    assert meta["Rows"] == 128 and meta["Columns"] == 128
    assert meta["BitsStored"] == 16
    assert meta["RescaleIntercept"] == -1024.0
    assert meta["ImageType"] == "ORIGINAL\\PRIMARY\\AXIAL"
    for key in ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        assert isinstance(meta[key], str) and meta[key]
    assert all(type(v) in (str, int, float) for v in meta.values())


def test_dataset_is_the_header_without_pixel_data(shipped):
    image = read_image(shipped("CT_small.dcm"))
    assert isinstance(image.dataset, Dataset)
    assert "PixelData" not in image.dataset
    assert image.dataset.SOPInstanceUID == image.metadata["SOPInstanceUID"]


def test_monochrome1_is_not_inverted_in_pixels(tmp_path, shipped):
    ds = pydicom.dcmread(shipped("MR_small.dcm"))
    ds.PhotometricInterpretation = "MONOCHROME1"
    path = tmp_path / "m1.dcm"
    ds.save_as(path)
    image = read_image(path)
    assert image.photometric == "MONOCHROME1"
    np.testing.assert_array_equal(image.pixels, ds.pixel_array.astype(np.float32))


@pytest.mark.parametrize(
    "name", ["SC_rgb_rle.dcm", "SC_rgb_jpeg_dcmtk.dcm", "SC_ybr_full_422_uncompressed.dcm"]
)
def test_colour_becomes_bt601_luma_with_a_warning(shipped, name):
    ds = pydicom.dcmread(shipped(name))
    with pytest.warns(XrayWarning, match=name.replace("+", r"\+")) as record:
        image = read_image(shipped(name))
    assert len(record) == 1 and "\n" not in str(record[0].message)
    assert image.photometric == "MONOCHROME2"
    np.testing.assert_allclose(image.pixels, luma(ds.pixel_array), rtol=1e-6)
    r, g, b = (ds.pixel_array[0, 0, i] for i in range(3))
    assert image.pixels[0, 0] == pytest.approx(0.299 * r + 0.587 * g + 0.114 * b, rel=1e-6)


def test_palette_colour_is_applied_then_converted(shipped):
    ds = pydicom.dcmread(shipped("examples_palette.dcm"))
    with pytest.warns(XrayWarning, match="palette"):
        image = read_image(shipped("examples_palette.dcm"))
    np.testing.assert_allclose(image.pixels, luma(apply_color_lut(ds.pixel_array, ds)), rtol=1e-6)
    assert image.mapping.bits_stored == 16  # the palette's output depth


def test_dicom_without_preamble_or_extension_is_recognised(tmp_path, shipped):
    ds = pydicom.dcmread(shipped("MR_small.dcm"))
    path = tmp_path / "no_preamble"
    ds.preamble = None
    pydicom.dcmwrite(path, ds)
    assert path.read_bytes()[128:132] != b"DICM"
    np.testing.assert_array_equal(
        read_image(path).pixels, read_image(shipped("MR_small.dcm")).pixels
    )


def test_dicom_without_file_meta_uses_the_encoding_found(tmp_path, shipped):
    ds = pydicom.dcmread(shipped("MR_small.dcm"))
    expected = ds.pixel_array.astype(np.float32)
    del ds.file_meta
    ds.preamble = None
    path = tmp_path / "acr_nema_style.dcm"
    pydicom.dcmwrite(path, ds, implicit_vr=True, little_endian=True)
    image = read_image(path)
    assert image.metadata["TransferSyntaxName"] == "Implicit VR Little Endian"
    np.testing.assert_array_equal(image.pixels, expected)


def test_reading_never_modifies_the_source(copy_of):
    path = copy_of("MR_small_jp2klossless.dcm")
    os.chmod(path, stat.S_IRUSR)
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    image = read_image(path)
    image.dataset.PatientName = "changed"
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
