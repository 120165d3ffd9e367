import hashlib
import os
import stat
import struct
import tracemalloc

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, apply_modality_lut, apply_voi_lut
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from core.display import auto_window, to_display
from core.errors import ImageReadError, XrayWarning
from core.image import StoredMapping, Window
from core.io import read_image, write_image
from core.io.color import luma

# One file per transfer syntax pydicom decodes (JPEG and JPEG-LS through core.io.jpeg_decode).
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
    assert image.window == auto_window(image.pixels, linear=True)  # integer, slope 1


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


def padded_film(signed=False):
    """A 12-bit film whose left third and top rows are a constant border of stored 0 / -2048."""
    rng = np.random.default_rng(21)
    _, xx = np.mgrid[0:64, 0:96]
    film = 2500 + 8 * xx + rng.normal(0, 30, xx.shape) - (2048 if signed else 0)
    stored = np.rint(film).astype(np.int16 if signed else np.uint16)
    border = np.zeros(stored.shape, dtype=bool)
    border[:, :32] = border[:4, :] = True
    stored[border] = -2048 if signed else 0
    return stored, border


@pytest.mark.parametrize("syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
@pytest.mark.parametrize("signed", [False, True])
def test_pixel_padding_value_is_a_mask_of_stored_values(write_dx, syntax, signed):
    stored, border = padded_film(signed)
    # The rescale moves pixel values away from the padding value: padding is stored values.
    path = write_dx(
        stored,
        syntax=syntax,
        PixelPaddingValue=int(stored[0, 0]),
        RescaleSlope=2,
        RescaleIntercept=-1000,
    )
    image = read_image(path)
    np.testing.assert_array_equal(image.padding.mask, border)
    np.testing.assert_array_equal(image.padding.values, stored[border])
    assert image.padding.first == image.padding.last == stored[0, 0]


def test_pixel_padding_range_limit_extends_the_padding(write_dx):
    stored, border = padded_film()
    stored[border] = np.arange(border.sum()) % 11  # padding from 0 to 10
    image = read_image(write_dx(stored, PixelPaddingValue=10, PixelPaddingRangeLimit=0))
    np.testing.assert_array_equal(image.padding.mask, border)
    assert (image.padding.first, image.padding.last) == (0, 10)


def test_signed_padding_value_read_as_unsigned_is_reinterpreted(write_dx):
    stored, border = padded_film(signed=True)
    path = write_dx(stored)
    ds = pydicom.dcmread(path)
    ds.add_new(0x00280120, "US", 2**16 - 2048)  # a writer that ignored PixelRepresentation
    ds.save_as(path, enforce_file_format=True)
    np.testing.assert_array_equal(read_image(path).padding.mask, border)


def test_without_pixel_padding_value_there_is_no_padding(shipped):
    assert read_image(shipped("MR_small.dcm")).padding is None


def test_the_default_window_leaves_the_padding_out(write_dx):
    stored, border = padded_film()
    image = read_image(write_dx(stored, PixelPaddingValue=0))
    assert image.window == auto_window(image.pixels[~border], linear=True)
    assert image.window.low > 2000  # the border at 0 would have widened it to ~0


def test_every_file_window_is_kept_with_its_explanation(shipped):
    image = read_image(shipped("examples_overlay.dcm"))
    assert image.file_windows == (Window(450.0, 790.0), Window(200.0, 443.0))
    assert [w.explanation for w in image.file_windows] == ["WINDOW1", "WINDOW2"]
    assert image.window is image.file_windows[0]


def test_file_windows_carry_the_voi_lut_function_and_skip_unusable_widths(write_dx):
    stored, _ = padded_film()
    path = write_dx(
        stored, WindowCenter=[2048, 100, 900], WindowWidth=[1000, 0, 0.5], VOILUTFunction="SIGMOID"
    )
    image = read_image(path)
    # Width 0 is no window for any function; 0.5 is one for SIGMOID (not for LINEAR).
    assert image.file_windows == (
        Window(2048.0, 1000.0, function="SIGMOID"),
        Window(900.0, 0.5, function="SIGMOID"),
    )


def test_without_a_window_there_are_no_file_windows(shipped):
    assert read_image(shipped("CT_small.dcm")).file_windows == ()


def test_sigmoid_window_is_displayed_as_pydicom_applies_it(write_dx):
    stored, _ = padded_film()
    path = write_dx(stored, WindowCenter=3000, WindowWidth=500, VOILUTFunction="SIGMOID")
    ds = pydicom.dcmread(path)
    expected = apply_voi_lut(ds.pixel_array.astype(np.float64), ds) / (2**12 - 1)
    np.testing.assert_allclose(to_display(read_image(path)), expected, atol=1e-6)


def modality_lut_item(first, table, *, vr="US"):
    item = Dataset()
    item.add_new(0x00283002, vr, [len(table), first, 16])  # LUTDescriptor
    item.ModalityLUTType = "OD"
    item.add_new(0x00283006, "OW", np.asarray(table, dtype="<u2").tobytes())  # LUTData
    return item


SQRT_TABLE = np.rint(np.sqrt(np.arange(4096) / 4095) * 65535).astype(np.uint16)


def test_the_modality_lut_sequence_is_applied(write_dx):
    stored, _ = padded_film()
    path = write_dx(
        stored,
        ModalityLUTSequence=[modality_lut_item(0, SQRT_TABLE)],
        WindowCenter=40000,
        WindowWidth=30000,
    )
    ds = pydicom.dcmread(path)
    image = read_image(path)
    np.testing.assert_array_equal(image.pixels, apply_modality_lut(ds.pixel_array, ds))
    assert image.mapping == StoredMapping(bits_stored=16)
    assert image.window == Window(40000.0, 30000.0)  # in the table's output units, as the pixels
    assert "ModalityLUTSequence" not in image.dataset  # the pixels hold its outputs


def test_a_modality_lut_with_a_signed_first_input_read_as_unsigned(write_dx):
    stored, _ = padded_film(signed=True)  # -2048..2047
    table = np.arange(4096, dtype=np.uint16) * 3
    path = write_dx(stored, ModalityLUTSequence=[modality_lut_item(2**16 - 2048, table)])
    np.testing.assert_array_equal(read_image(path).pixels, table[stored.astype(int) + 2048])


def test_an_invalid_modality_lut_is_ignored_with_a_warning(write_dx):
    stored, _ = padded_film()
    path = write_dx(stored, ModalityLUTSequence=[modality_lut_item(0, SQRT_TABLE[:100])])
    ds = pydicom.dcmread(path)
    ds.ModalityLUTSequence[0].LUTDescriptor = [4096, 0, 16]  # more entries than the data hold
    ds.save_as(path, enforce_file_format=True)
    with pytest.warns(XrayWarning, match="modality LUT"):
        image = read_image(path)
    np.testing.assert_array_equal(image.pixels, stored)


def test_padding_goes_through_the_modality_lut(write_dx):
    stored, border = padded_film()
    table = SQRT_TABLE.copy()
    table[0] = 7  # the padding's output
    path = write_dx(stored, PixelPaddingValue=0, ModalityLUTSequence=[modality_lut_item(0, table)])
    padding = read_image(path).padding
    np.testing.assert_array_equal(padding.mask, border)
    assert padding.first == padding.last == 7 and (padding.values == 7).all()


@pytest.mark.parametrize(
    "syntax", [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian]
)
def test_a_native_frame_is_read_alone_from_a_long_multi_frame_file(tmp_path, syntax):
    rng = np.random.default_rng(3)
    frames = rng.integers(0, 4096, (40, 256, 256), dtype=np.uint16)
    ds = Dataset()
    ds.Rows, ds.Columns, ds.NumberOfFrames = 256, 256, 40
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.12.1"  # X-Ray Angiographic Image Storage
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    order = ">" if syntax == ExplicitVRBigEndian else "<"
    ds.PixelData = frames.astype(f"{order}u2").tobytes()
    ds["PixelData"].VR = "OW"
    path = tmp_path / "cine.dcm"
    pydicom.dcmwrite(path, ds, implicit_vr=syntax.is_implicit_VR, little_endian=order == "<")
    read_image(path, frame=0)  # the first read imports pydicom's decoders
    tracemalloc.start()
    try:
        image = read_image(path, frame=29)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(image.pixels, frames[29].astype(np.float32))
    assert image.n_frames == 40
    assert peak < frames.nbytes / 4  # one frame is 1/40 of the pixel data


def test_the_header_of_an_opened_file_keeps_its_long_values_when_the_file_goes(tmp_path):
    ds = Dataset()
    ds.Rows, ds.Columns, ds.NumberOfFrames = 64, 64, 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.12.1"
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.add_new(0x00091010, "LO", "ACME")
    ds.add_new(0x00091011, "OB", b"\x01" * 3_000_000)  # longer than what is read on demand
    ds.PixelData = np.zeros((3, 64, 64), "<u2").tobytes()
    ds["PixelData"].VR = "OW"
    source = tmp_path / "in.dcm"
    pydicom.dcmwrite(source, ds, implicit_vr=False, little_endian=True)
    image = read_image(source, frame=1)
    source.unlink()  # say, a removed disc
    derived = pydicom.dcmread(write_image(image, tmp_path / "out.dcm", description="test"))
    assert derived[0x00091011].value == b"\x01" * 3_000_000


def test_a_malformed_value_nobody_uses_is_copied_not_refused(tmp_path):
    ds = Dataset()
    ds.Rows, ds.Columns = 32, 32
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.PixelData = np.arange(32 * 32, dtype="<u2").tobytes()
    ds["PixelData"].VR = "OW"
    good = tmp_path / "good.dcm"
    pydicom.dcmwrite(good, ds, implicit_vr=False, little_endian=True)
    raw = good.read_bytes()
    # A vendor's private US value of odd length (3 bytes), before the image pixel module.
    private = struct.pack("<HH2sH", 0x0009, 0x0010, b"LO", 4) + b"ACME"
    private += struct.pack("<HH2sH", 0x0009, 0x1001, b"US", 3) + b"\x01\x02\x03"
    at = raw.find(struct.pack("<HH", 0x0028, 0x0002))
    source = tmp_path / "vendor.dcm"
    source.write_bytes(raw[:at] + private + raw[at:])
    image = read_image(source)
    derived = write_image(image, tmp_path / "out.dcm", description="test")
    assert read_image(derived).shape == (32, 32)


def test_a_cut_short_multi_frame_file_says_its_pixel_data_is_truncated(tmp_path):
    ds = Dataset()
    ds.Rows, ds.Columns, ds.NumberOfFrames = 64, 64, 4
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.12.1"
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.PixelData = np.zeros((4, 64, 64), "<u2").tobytes()
    ds["PixelData"].VR = "OW"
    path = tmp_path / "cut.dcm"
    pydicom.dcmwrite(path, ds, implicit_vr=False, little_endian=True)
    path.write_bytes(path.read_bytes()[:-20000])  # two and a half frames are gone
    for frame in (0, 3):
        with pytest.raises(ImageReadError, match="the pixel data is truncated: 12768 of the 32768"):
            read_image(path, frame=frame)
