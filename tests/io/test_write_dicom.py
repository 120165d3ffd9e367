import warnings
from datetime import datetime, timedelta, timezone

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_voi_lut, get_encoder
from pydicom.uid import (
    JPEG2000,
    ComputedRadiographyImageStorage,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGLSLossless,
    RLELossless,
    SecondaryCaptureImageStorage,
    generate_uid,
)

from core.code_version import software_version
from core.display import to_display
from core.errors import ImageWriteError, XrayWarning
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image, write_derived_dicom, write_image, write_new_dicom

P = "Not for diagnostic use: "
"""Starts every SeriesDescription and DerivationDescription written."""


def derive(tmp_path, source_path, *, description="denoised, 10 steps", frame=0, change=None):
    image = read_image(source_path, frame=frame)
    if change is not None:
        image = image.with_pixels(change(image.pixels))
    out = write_image(image, tmp_path / "derived.dcm", description=description)
    return image, out, pydicom.dcmread(out), pydicom.dcmread(source_path)


def test_derived_dicom_round_trip(tmp_path, shipped):
    image, out, ds, source = derive(tmp_path, shipped("CT_small.dcm"), change=lambda p: p + 3.4)
    back = read_image(out)
    expected = image.mapping.to_pixels(image.mapping.to_stored(image.pixels))
    np.testing.assert_array_equal(back.pixels, expected)
    assert back.mapping == image.mapping

    assert ds.SOPInstanceUID != source.SOPInstanceUID
    assert ds.SeriesInstanceUID != source.SeriesInstanceUID
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert ds.SOPClassUID == source.SOPClassUID
    for keyword in ("StudyInstanceUID", "PatientName", "PatientID", "StudyDate", "Modality"):
        assert ds[keyword].value == source[keyword].value
    for keyword in ("Rows", "Columns", "BitsAllocated", "BitsStored", "HighBit"):
        assert ds[keyword].value == source[keyword].value
    assert ds.PixelRepresentation == source.PixelRepresentation
    assert ds.PhotometricInterpretation == source.PhotometricInterpretation
    assert ds.SamplesPerPixel == 1 and "NumberOfFrames" not in ds

    assert list(ds.ImageType) == ["DERIVED", "SECONDARY", "AXIAL"]
    assert ds.DerivationDescription == P + "denoised, 10 steps"
    (reference,) = ds.SourceImageSequence
    assert reference.ReferencedSOPClassUID == source.SOPClassUID
    assert reference.ReferencedSOPInstanceUID == source.SOPInstanceUID
    assert ds.SeriesDescription == P + "(denoised)"  # the source has none
    assert ds.SeriesNumber == source.SeriesNumber + 1000
    # Written in the source's TimezoneOffsetFromUTC (-0500), whatever the machine's zone.
    source_zone = timezone(timedelta(hours=-5))
    assert source.TimezoneOffsetFromUTC == "-0500"
    assert ds.ContentDate == datetime.now(source_zone).strftime("%Y%m%d")
    assert (
        ds.ImageComments
        == f"Uncompressed. Not for diagnostic use. Produced by xray-denoise {software_version()}"
    )
    assert "LossyImageCompression" not in ds


def test_deriving_a_derived_image_keeps_one_suffix(tmp_path, shipped):
    image, out, ds, _ = derive(tmp_path, shipped("MR_small.dcm"))
    again = write_image(read_image(out), tmp_path / "again.dcm", description="twice")
    assert pydicom.dcmread(again).SeriesDescription == ds.SeriesDescription


def test_derived_dicom_leaves_the_image_and_its_header_alone(tmp_path, shipped):
    image = read_image(shipped("CT_small.dcm"))
    uid = image.dataset.SOPInstanceUID
    write_derived_dicom(image, tmp_path / "a.dcm", description="x")
    assert image.dataset.SOPInstanceUID == uid and "PixelData" not in image.dataset


def test_description_is_truncated_to_the_vr_length(tmp_path, shipped):
    *_, ds, _ = derive(tmp_path, shipped("MR_small.dcm"), description="d" * 2000)
    assert ds.DerivationDescription == P + "d" * (1024 - len(P) - 3) + "..."
    assert len(ds.DerivationDescription) == 1024


def test_the_history_of_derivations_is_kept(tmp_path, shipped):
    image, out, ds, _ = derive(tmp_path, shipped("CT_small.dcm"), description="simulated")
    again = write_image(read_image(out), tmp_path / "again.dcm", description="denoised")
    # The notice of the source's history is said once.
    assert pydicom.dcmread(again).DerivationDescription == P + "simulated; denoised"


def test_a_long_history_loses_its_oldest_text_first(tmp_path, shipped):
    image = read_image(shipped("CT_small.dcm"))
    image.dataset.DerivationDescription = "phantom " + "s" * 1000 + " recent step"
    out = write_derived_dicom(image, tmp_path / "a.dcm", description="denoised")
    history = pydicom.dcmread(out).DerivationDescription
    assert len(history) == 1024
    assert history.startswith(P + "...s") and history.endswith("s recent step; denoised")


def test_a_long_series_description_is_shortened_at_a_word_boundary(tmp_path, shipped):
    image = read_image(shipped("CT_small.dcm"))
    # As the phantom writes it: cut at 64 characters already.
    image.dataset.SeriesDescription = (
        "SYNTHETIC chest phantom (Beer-Lambert), 20000 quanta/pixel, elec"
    )
    out = write_derived_dicom(image, tmp_path / "a.dcm", description="denoised")
    series = pydicom.dcmread(out).SeriesDescription
    assert series == P + "SYNTHETIC chest phantom... (denoised)"
    assert len(series) <= 64


def test_a_single_long_word_is_cut_to_fit_the_suffix(tmp_path, shipped):
    image = read_image(shipped("CT_small.dcm"))
    image.dataset.SeriesDescription = "x" * 64
    out = write_derived_dicom(image, tmp_path / "a.dcm", description="denoised")
    series = pydicom.dcmread(out).SeriesDescription
    assert series == P + "x" * 26 + "... (denoised)"
    assert len(series) == 64


def test_frames_derived_together_form_one_series(tmp_path, three_frame_dicom):
    source = pydicom.dcmread(three_frame_dicom)
    series = generate_uid()
    written = []
    for frame in range(3):
        image = read_image(three_frame_dicom, frame=frame)
        path = tmp_path / f"f{frame}.dcm"
        write_derived_dicom(
            image, path, description="d", series_uid=series, instance_number=frame + 1
        )
        written.append(pydicom.dcmread(path))
    assert [ds.SeriesInstanceUID for ds in written] == [series] * 3
    assert series != source.SeriesInstanceUID
    assert [ds.InstanceNumber for ds in written] == [1, 2, 3]
    assert len({ds.SOPInstanceUID for ds in written}) == 3
    assert [ds.SourceImageSequence[0].ReferencedFrameNumber for ds in written] == [1, 2, 3]
    assert all("NumberOfFrames" not in ds for ds in written)


def test_by_default_a_derived_image_is_a_series_of_its_own(tmp_path, shipped):
    image = read_image(shipped("CT_small.dcm"))
    one = pydicom.dcmread(write_derived_dicom(image, tmp_path / "1.dcm", description="d"))
    two = pydicom.dcmread(write_derived_dicom(image, tmp_path / "2.dcm", description="d"))
    assert one.SeriesInstanceUID != two.SeriesInstanceUID
    assert one.InstanceNumber == two.InstanceNumber == image.dataset.InstanceNumber


def test_non_ascii_description_switches_the_header_to_utf8(tmp_path, shipped):
    *_, ds, source = derive(tmp_path, shipped("MR_small.dcm"), description="débruité, σ = 3 µGy")
    assert ds.SpecificCharacterSet == "ISO_IR 192"
    assert ds.DerivationDescription == P + "débruité, σ = 3 µGy"
    assert ds.PatientName == source.PatientName


@pytest.mark.parametrize(
    ("name", "lossy"),
    [
        ("693_J2KI.dcm", True),  # header says LossyImageCompression 01
        ("JPGExtended.dcm", True),  # a lossy transfer syntax
        ("MR_small_jp2klossless.dcm", False),
    ],
)
def test_once_lossy_always_lossy(tmp_path, shipped, name, lossy):
    *_, ds, _ = derive(tmp_path, shipped(name))
    assert (ds.get("LossyImageCompression") == "01") == lossy
    assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian


def test_derived_from_one_frame_of_a_multi_frame_colour_file(tmp_path, shipped):
    with pytest.warns(XrayWarning, match="grayscale"):
        image, out, ds, source = derive(tmp_path, shipped("examples_ybr_color.dcm"), frame=5)
    assert ds.SOPClassUID == SecondaryCaptureImageStorage and ds.ConversionType == "WSD"
    assert ds.SourceImageSequence[0].ReferencedFrameNumber == 6
    assert ds.PhotometricInterpretation == "MONOCHROME2" and ds.SamplesPerPixel == 1
    for keyword in ("NumberOfFrames", "PlanarConfiguration", "FrameIncrementPointer"):
        assert keyword not in ds
    np.testing.assert_array_equal(read_image(out).pixels, np.rint(image.pixels))


def test_derived_from_palette_colour_drops_the_palette(tmp_path, shipped):
    with pytest.warns(XrayWarning):
        *_, ds, _ = derive(tmp_path, shipped("examples_palette.dcm"))
    assert ds.PhotometricInterpretation == "MONOCHROME2"
    assert not any("Palette" in element.keyword for element in ds)
    assert ds.BitsAllocated == ds.BitsStored == 16


def test_derived_dicom_needs_a_source_header(tmp_path):
    image = XrayImage(np.zeros((4, 4), np.float32), StoredMapping(16), Window(0, 1))
    with pytest.raises(ImageWriteError, match="no source DICOM header"):
        write_derived_dicom(image, tmp_path / "x.dcm", description="x")


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")  # rtdose's own UIDs
@pytest.mark.parametrize("name", ["rtdose_1frame.dcm", "SC_rgb_rle_32bit.dcm"])
def test_a_32_bit_source_gives_a_32_bit_derived_image(tmp_path, shipped, name):
    # pydicom's set_pixel_data takes 8 and 16-bit data only; 32-bit words are written here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XrayWarning)  # the RGB file is converted to grey
        image, out, ds, source = derive(tmp_path, shipped(name), change=lambda p: p + 7.0)
    assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation) == (32, 32, 31, 0)
    assert ds.SOPInstanceUID != source.SOPInstanceUID
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    expected = image.mapping.to_pixels(image.mapping.to_stored(image.pixels))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XrayWarning)  # values past 2**24: float32 off them
        np.testing.assert_array_equal(read_image(out).pixels, expected)


@pytest.mark.filterwarnings("ignore:Expected explicit VR, but found implicit VR")  # pydicom's
def test_implicit_vr_data_under_an_explicit_syntax_is_written(tmp_path, shipped):
    # This file declares JPEG Baseline but its data set is implicit VR: its elements have
    # no VR until looked up, and the explicit-VR output needs one for each.
    with pytest.warns(XrayWarning, match="grayscale"):
        image, out, ds, source = derive(tmp_path, shipped("SC_rgb_jpeg.dcm"))
    assert source.get_item(0x00080064).VR is None  # ConversionType, still raw in the source
    assert ds.ConversionType == "DI" and ds.LossyImageCompression == "01"
    np.testing.assert_array_equal(read_image(out).pixels, np.rint(image.pixels))


def test_new_monochrome1_rle_dicom_reads_back(tmp_path, phantom16):
    out = write_new_dicom(
        phantom16,
        tmp_path / "m1.dcm",
        photometric="MONOCHROME1",
        bits_stored=12,
        pixel_spacing=(0.15, 0.2),
        patient_name="SYNTHETIC^PHANTOM",
        patient_id="SYN-0001",
        description="SYNTHETIC sample",
        window=Window(2048.0, 4096.0),
        transfer_syntax=RLELossless,
    )
    ds = pydicom.dcmread(out)
    assert ds.file_meta.TransferSyntaxUID == RLELossless
    assert ds.SOPClassUID == ComputedRadiographyImageStorage

    image = read_image(out)
    assert image.photometric == "MONOCHROME1"
    assert image.metadata["TransferSyntaxName"] == "RLE Lossless"
    np.testing.assert_array_equal(image.pixels, phantom16)
    assert image.mapping == StoredMapping(bits_stored=12)
    assert image.window == Window(2048.0, 4096.0)
    assert image.pixel_spacing == (0.15, 0.2)
    assert image.metadata["PatientName"] == "SYNTHETIC^PHANTOM"
    # MONOCHROME1: high values dark, after the window
    grey = to_display(image)
    darkest, brightest = phantom16.argmax(), phantom16.argmin()
    assert grey.flat[darkest] < 0.05 and grey.flat[brightest] > 0.95


REQUIRED = [
    # type 1 and 2 attributes of SOP Common, Patient, General Study, General Series,
    # General Equipment, General Image and Image Pixel
    "SOPClassUID", "SOPInstanceUID", "PatientName", "PatientID", "PatientBirthDate",
    "PatientSex", "StudyInstanceUID", "StudyDate", "StudyTime", "ReferringPhysicianName",
    "StudyID", "AccessionNumber", "Modality", "SeriesInstanceUID", "SeriesNumber",
    "Manufacturer", "InstanceNumber", "PatientOrientation", "SamplesPerPixel",
    "PhotometricInterpretation", "Rows", "Columns", "BitsAllocated", "BitsStored", "HighBit",
    "PixelRepresentation", "PixelData",
]  # fmt: skip


def test_a_new_dicom_series_description_ends_at_a_word(tmp_path, phantom16):
    text = "SYNTHETIC chest phantom (Beer-Lambert), 20000 quanta/pixel, electronic noise 4"
    out = write_new_dicom(phantom16, tmp_path / "a.dcm", description=text)
    ds = pydicom.dcmread(out)
    assert ds.SeriesDescription == P + "SYNTHETIC chest phantom..."
    assert len(ds.SeriesDescription) <= 64
    assert ds.DerivationDescription == P + text


@pytest.mark.parametrize(
    ("modality", "sop_class", "module_attributes"),
    [
        # CR Series and CR Image modules
        ("CR", ComputedRadiographyImageStorage, ["BodyPartExamined", "ViewPosition"]),
        # SC Equipment module
        ("OT", SecondaryCaptureImageStorage, ["ConversionType"]),
    ],
)
def test_new_dicom_has_the_required_attributes(
    tmp_path, phantom16, modality, sop_class, module_attributes
):
    out = write_new_dicom(phantom16, tmp_path / "new.dcm", modality=modality)
    ds = pydicom.dcmread(out)
    assert ds.SOPClassUID == sop_class
    assert [k for k in REQUIRED + module_attributes if k not in ds] == []
    assert ds.file_meta.MediaStorageSOPClassUID == sop_class
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert "Not for diagnostic use" in ds.ImageComments


@pytest.mark.parametrize(
    ("modality", "keyword"), [("CR", "ImagerPixelSpacing"), ("OT", "PixelSpacing")]
)
def test_new_dicom_pixel_spacing_attribute(tmp_path, phantom16, modality, keyword):
    out = write_new_dicom(
        phantom16, tmp_path / "new.dcm", modality=modality, pixel_spacing=(0.1, 0.2)
    )
    assert list(pydicom.dcmread(out)[keyword].value) == [0.1, 0.2]
    assert read_image(out).pixel_spacing == (0.1, 0.2)


@pytest.mark.skipif(
    not get_encoder(JPEG2000Lossless).is_available, reason="no JPEG 2000 encoder installed"
)
def test_new_dicom_in_jpeg2000_lossless(tmp_path, phantom16):
    out = write_new_dicom(phantom16, tmp_path / "j2k.dcm", transfer_syntax=JPEG2000Lossless)
    assert pydicom.dcmread(out).file_meta.TransferSyntaxUID == JPEG2000Lossless
    np.testing.assert_array_equal(read_image(out).pixels, phantom16)


@pytest.mark.skipif(
    get_encoder(JPEGLSLossless).is_available, reason="a JPEG-LS encoder is installed"
)
def test_new_dicom_with_a_missing_encoder_names_it(tmp_path, phantom16):
    with pytest.raises(ImageWriteError, match="cannot encode JPEG-LS Lossless.*pyjpegls"):
        write_new_dicom(phantom16, tmp_path / "jls.dcm", transfer_syntax=JPEGLSLossless)
    assert list(tmp_path.iterdir()) == []


def test_real_cr_header_monochrome1_and_iso2022_names(tmp_path, shipped, phantom16):
    ds = pydicom.dcmread(shipped("chrJapMulti.dcm"))  # a CR header shipped without pixels
    ds.set_pixel_data(phantom16, "MONOCHROME1", 12)
    path = tmp_path / "cr.dcm"
    ds.save_as(path)
    image = read_image(path)
    assert image.photometric == "MONOCHROME1"
    assert image.window == Window(2048.0, 4096.0)
    assert image.metadata["PatientName"] == "やまだ^たろう"
    out = write_image(image, tmp_path / "derived.dcm", description="débruité")
    derived = pydicom.dcmread(out)
    assert derived.PatientName == "やまだ^たろう"
    assert derived.PhotometricInterpretation == "MONOCHROME1"
    np.testing.assert_array_equal(read_image(out).pixels, phantom16)


@pytest.mark.parametrize(
    ("pixels", "kwargs", "match"),
    [
        (np.zeros((4, 4), np.float32), {}, "uint16"),
        (np.zeros((2, 4, 4), np.uint16), {}, "2-D"),
        (np.full((4, 4), 5000, np.uint16), {"bits_stored": 12}, "bits_stored"),
        (np.zeros((4, 4), np.uint16), {"photometric": "RGB"}, "MONOCHROME"),
        (np.zeros((4, 4), np.uint16), {"transfer_syntax": JPEGBaseline8Bit}, "transfer_syntax"),
    ],
)
def test_new_dicom_rejects_bad_arguments(tmp_path, pixels, kwargs, match):
    with pytest.raises(ValueError, match=match):
        write_new_dicom(pixels, tmp_path / "bad.dcm", **kwargs)
    assert list(tmp_path.iterdir()) == []


def padded_film():
    """A 12-bit noisy film with a constant border of stored 0 over its left third."""
    rng = np.random.default_rng(22)
    _, xx = np.mgrid[0:48, 0:72]
    stored = np.rint(1500 + 20 * xx + rng.normal(0, 40, xx.shape)).astype(np.uint16)
    border = np.zeros(stored.shape, dtype=bool)
    border[:, :24] = True
    stored[border] = 0
    return stored, border


def blurred(pixels):
    """What a denoiser does at the border: anatomy leaks into the padding and back."""
    return (pixels + np.roll(pixels, 1, axis=1) + np.roll(pixels, -1, axis=1)) / 3


def test_padding_is_written_back_exactly_and_its_value_kept(tmp_path, write_dx):
    stored, border = padded_film()
    source = write_dx(stored, PixelPaddingValue=0, RescaleIntercept=-1000, RescaleSlope=1)
    image, out, ds, _ = derive(tmp_path, source, change=blurred)
    assert ds.PixelPaddingValue == 0
    written = ds.pixel_array
    np.testing.assert_array_equal(written[border], 0)
    assert written[~border].min() > 0  # anatomy is never taken for padding
    np.testing.assert_array_equal(read_image(out).padding.mask, border)


def test_anatomy_that_reaches_the_padding_range_is_moved_out_of_it(tmp_path, write_dx):
    stored, border = padded_film()
    stored[border] = 4095  # padding at the top of the range, as in MONOCHROME1 files
    source = write_dx(stored, PixelPaddingValue=4095)
    _, _, ds, _ = derive(tmp_path, source, change=lambda p: np.where(p > 2000, 4095.0, p))
    written = ds.pixel_array
    np.testing.assert_array_equal(written[border], 4095)
    assert written[~border].max() == 4094


def test_padding_range_values_are_written_back_as_read(tmp_path, write_dx):
    stored, border = padded_film()
    stored[border] = np.arange(border.sum()) % 5
    source = write_dx(stored, PixelPaddingValue=0, PixelPaddingRangeLimit=4)
    _, _, ds, _ = derive(tmp_path, source, change=blurred)
    np.testing.assert_array_equal(ds.pixel_array[border], stored[border])
    assert (ds.PixelPaddingValue, ds.PixelPaddingRangeLimit) == (0, 4)
    assert ds.pixel_array[~border].min() > 4


def test_a_big_endian_header_has_its_binary_values_byte_swapped(tmp_path, write_dx):
    stored, _ = padded_film()
    table = (np.arange(4096) * 16).astype(np.uint16)
    item = pydicom.Dataset()
    item.LUTDescriptor = [4096, 0, 16]
    item.add_new(0x00283006, "OW", table.astype(">u2").tobytes())  # LUTData
    overlay = np.zeros(stored.shape, dtype=np.uint8)
    overlay[5:20, 30:60] = 1
    words = np.packbits(overlay.ravel(), bitorder="little").view("<u2")
    source = write_dx(stored, syntax=ExplicitVRBigEndian, VOILUTSequence=[item])
    ds = pydicom.dcmread(source)
    for offset, vr, value in [
        (0x0010, "US", stored.shape[0]),
        (0x0011, "US", stored.shape[1]),
        (0x0040, "CS", "G"),
        (0x0050, "SS", [1, 1]),
        (0x0100, "US", 1),
        (0x3000, "OW", words.astype(">u2").tobytes()),  # OverlayData, big-endian words
    ]:
        ds.add_new(0x60000000 + offset, vr, value)
    ds.save_as(source, enforce_file_format=True)

    image, out, ds, _ = derive(tmp_path, source)
    assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    np.testing.assert_array_equal(np.frombuffer(ds.VOILUTSequence[0].LUTData, "<u2"), table)
    np.testing.assert_array_equal(apply_voi_lut(ds.pixel_array, ds), table[stored])
    np.testing.assert_array_equal(ds.overlay_array(0x6000), overlay)
    np.testing.assert_array_equal(read_image(out).voi_lut, image.voi_lut)


@pytest.mark.skipif(not get_encoder(JPEG2000).is_available, reason="no JPEG 2000 encoder")
@pytest.mark.parametrize(
    ("syntax", "options", "lossy"),
    [(JPEG2000, {"j2k_cr": [30]}, True), (JPEG2000Lossless, {}, False)],
)
def test_an_irreversible_jpeg2000_source_is_marked_lossy(
    tmp_path, write_dx, syntax, options, lossy
):
    stored, _ = padded_film()
    ds = pydicom.dcmread(write_dx(stored))
    ds.compress(syntax, **options)
    # Both under the syntax that allows either, where a reversible codestream is lossless
    # only where the header says "00" (a coder may have limited its rate); pydicom sets
    # no LossyImageCompression, as many writers do not.
    ds.file_meta.TransferSyntaxUID = JPEG2000
    for keyword in ("LossyImageCompression", "LossyImageCompressionMethod"):
        if keyword in ds:
            delattr(ds, keyword)
    if not lossy:
        ds.LossyImageCompression = "00"
    source = tmp_path / "j2k.dcm"
    ds.save_as(source, enforce_file_format=True)
    *_, derived, _ = derive(tmp_path, source)
    assert (derived.get("LossyImageCompression") == "01") == lossy
    assert derived.get("LossyImageCompressionMethod") == ("ISO_15444_1" if lossy else None)


def test_a_lossy_transfer_syntax_names_its_method(tmp_path, shipped):
    *_, ds, _ = derive(tmp_path, shipped("JPGExtended.dcm"))
    assert ds.LossyImageCompression == "01"
    assert ds.LossyImageCompressionMethod == "ISO_10918_1"


def test_a_modality_lut_source_gives_its_outputs_without_the_table(tmp_path, write_dx):
    stored, border = padded_film()
    table = np.rint(np.sqrt(np.arange(4096) / 4095) * 60000 + 100).astype(np.uint16)
    item = pydicom.Dataset()
    item.LUTDescriptor = [4096, 0, 16]
    item.ModalityLUTType = "OD"
    item.add_new(0x00283006, "OW", table.astype("<u2").tobytes())  # LUTData
    source = write_dx(stored, PixelPaddingValue=0, ModalityLUTSequence=[item])
    image, out, ds, _ = derive(tmp_path, source)
    assert "ModalityLUTSequence" not in ds
    assert (ds.BitsAllocated, ds.BitsStored, ds.PixelRepresentation) == (16, 16, 0)
    np.testing.assert_array_equal(ds.pixel_array, table[stored])  # the same modality values
    assert ds.PixelPaddingValue == table[0]
    np.testing.assert_array_equal(read_image(out).pixels, image.pixels)


def test_signed_padding_is_written_as_ss(tmp_path, write_dx):
    stored, border = padded_film()
    signed = (stored.astype(np.int16) - 2048).astype(np.int16)
    _, _, ds, _ = derive(tmp_path, write_dx(signed, PixelPaddingValue=-2048), change=blurred)
    assert ds["PixelPaddingValue"].VR == "SS" and ds.PixelPaddingValue == -2048
    np.testing.assert_array_equal(ds.pixel_array[border], -2048)


def test_monochrome1_padding_value_is_the_top_of_its_range(tmp_path, write_dx):
    stored, border = padded_film()
    stored[border] = 4090 + np.arange(border.sum()) % 6  # padding from 4090 to 4095
    source = write_dx(
        np.minimum(stored, 4095),
        PhotometricInterpretation="MONOCHROME1",
        PixelPaddingValue=4095,
        PixelPaddingRangeLimit=4090,
    )
    _, _, ds, _ = derive(tmp_path, source, change=blurred)
    assert (ds.PixelPaddingValue, ds.PixelPaddingRangeLimit) == (4095, 4090)
