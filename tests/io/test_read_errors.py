import gzip
import struct
import zlib
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest
import tifffile
from PIL import Image
from pydicom.encaps import encapsulate
from pydicom.pixels.decoders.base import Decoder
from pydicom.uid import MPEG2MPML

from core.errors import ImageReadError
from core.io import MAX_DECODED_BYTES, dicom_read, read_image


def read_error(path, **kwargs) -> ImageReadError:
    """The ImageReadError that reading `path` raises; its message is one line."""
    with pytest.raises(ImageReadError) as info:
        read_image(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert str(path) in message
    return info.value


def test_missing_file(tmp_path):
    assert "not found" in read_error(tmp_path / "nothing.dcm").reason


def test_folder(tmp_path):
    assert "folder" in read_error(tmp_path).reason


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.dcm"
    path.write_bytes(b"x" * 200)

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    assert "Permission denied" in read_error(path).reason


def test_empty_file(tmp_path):
    path = tmp_path / "empty.dcm"
    path.touch()
    assert "empty" in read_error(path).reason


@pytest.mark.parametrize("keep", [10, 131, 132, 300, 1000, 0.5, -200])  # -200: inside PixelData
def test_truncated_dicom(tmp_path, shipped, keep):
    data = shipped("CT_small.dcm").read_bytes()
    path = tmp_path / "truncated.dcm"
    path.write_bytes(data[: int(len(data) * keep) if isinstance(keep, float) else keep])
    read_error(path)


@pytest.mark.filterwarnings("ignore:End of file reached:UserWarning")
@pytest.mark.parametrize("cut", [200, 1000, 2000])
def test_truncated_jpeg2000_dicom(tmp_path, shipped, cut):
    data = shipped("693_J2KI.dcm").read_bytes()
    path = tmp_path / "truncated.dcm"
    path.write_bytes(data[: len(data) - cut])
    assert "truncated" in read_error(path).reason


@pytest.mark.parametrize(
    ("name", "kind"),
    [("rtplan.dcm", "RT Plan Storage"), ("reportsi.dcm", "SR"), ("waveform_ecg.dcm", "ECG")],
)
def test_dicom_without_pixel_data(shipped, name, kind):
    reason = read_error(shipped(name)).reason
    assert "no image pixel data" in reason and kind in reason


def test_transfer_syntax_without_any_decoder(tmp_path, shipped):
    ds = pydicom.dcmread(shipped("MR_small.dcm"))
    ds.file_meta.TransferSyntaxUID = MPEG2MPML
    ds.PixelData = encapsulate([bytes(64)])
    path = tmp_path / "mpeg.dcm"
    ds.save_as(path)
    reason = read_error(path).reason
    assert "MPEG2" in reason and "no decoder" in reason


def test_compressed_syntax_whose_plugin_is_missing(shipped, monkeypatch):
    monkeypatch.setattr(Decoder, "is_available", property(lambda self: False))
    reason = read_error(shipped("MR_small_jp2klossless.dcm")).reason
    assert "JPEG 2000 Image Compression (Lossless Only)" in reason
    assert "pylibjpeg-openjpeg" in reason


@pytest.mark.parametrize("name", ["CT_small.dcm", "693_J2KI.dcm"])
def test_huge_declared_size_is_refused_before_decoding(tmp_path, shipped, name, monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("pixel data must not be decoded")

    monkeypatch.setattr(dicom_read, "pixel_array", no_decoding)
    ds = pydicom.dcmread(shipped(name))
    ds.Rows = ds.Columns = 65535
    path = tmp_path / "huge.dcm"
    ds.save_as(path)
    reason = read_error(path).reason
    assert "too large" in reason
    assert 65535 * 65535 * 2 > MAX_DECODED_BYTES


def _patch_first_fragment(ds, marker: bytes, offset: int, value: bytes) -> None:
    """Overwrite bytes of the codestream header that follows `marker` in the pixel data."""
    data = bytearray(ds.PixelData)
    start = data.index(marker) + offset
    data[start : start + len(value)] = value
    ds.PixelData = bytes(data)


@pytest.mark.parametrize(
    ("name", "marker", "offset", "value"),
    [
        # JPEG 2000 SIZ: Xsiz, Ysiz at bytes 8..16 after SOC
        ("MR_small_jp2klossless.dcm", b"\xff\x4f\xff\x51", 8, struct.pack(">II", 60000, 60000)),
        # JPEG SOF1: height, width at bytes 5..9 after the marker
        ("JPGExtended.dcm", b"\xff\xc1", 5, struct.pack(">HH", 65535, 65535)),
    ],
)
def test_huge_codestream_is_refused_before_decoding(
    tmp_path, shipped, monkeypatch, name, marker, offset, value
):
    def no_decoding(*args, **kwargs):
        raise AssertionError("pixel data must not be decoded")

    monkeypatch.setattr(dicom_read, "pixel_array", no_decoding)
    ds = pydicom.dcmread(shipped(name))
    _patch_first_fragment(ds, marker, offset, value)
    path = tmp_path / name
    ds.save_as(path)
    reason = read_error(path).reason
    assert "codestream declares an image too large" in reason


def test_a_panicking_decoder_is_a_read_error(shipped, monkeypatch):
    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})

    def panicking(*args, **kwargs):
        raise panic("index out of bounds")

    monkeypatch.setattr(dicom_read, "pixel_array", panicking)
    assert "index out of bounds" in read_error(shipped("MR_small_RLE.dcm")).reason


def test_an_interrupt_is_not_swallowed(shipped, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(dicom_read, "pixel_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        read_image(shipped("MR_small.dcm"))


def test_huge_frame_count_does_not_matter_only_frame_size(tmp_path, shipped):
    ds = pydicom.dcmread(shipped("MR_small.dcm"))
    ds.NumberOfFrames = 100000
    path = tmp_path / "frames.dcm"
    ds.save_as(path)
    assert "frame 100000 out of range" in read_error(path, frame=100000).reason
    read_error(path, frame=3)  # the data holds one frame only: pydicom's error, converted


@pytest.mark.filterwarnings("ignore:Invalid value for VR IS:UserWarning")
def test_invalid_attribute_value(shipped):
    assert "NumberOfFrames" in read_error(shipped("badVR.dcm")).reason


def png_bytes(array: np.ndarray) -> bytes:
    buffer = BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_corrupt_png(tmp_path):
    data = bytearray(png_bytes(np.arange(64 * 64, dtype=np.uint16).reshape(64, 64)))
    start = data.index(b"IDAT") + 20
    data[start : start + 40] = bytes(40)
    path = tmp_path / "corrupt.png"
    path.write_bytes(bytes(data))
    assert "PNG" in read_error(path).reason


def test_truncated_png(tmp_path):
    data = png_bytes(np.arange(64 * 64, dtype=np.uint16).reshape(64, 64))
    path = tmp_path / "truncated.png"
    path.write_bytes(data[: len(data) // 2])
    read_error(path)


def test_png_with_huge_declared_size(tmp_path):
    data = bytearray(png_bytes(np.zeros((4, 4), dtype=np.uint8)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", 70000, 70000)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    path = tmp_path / "huge.png"
    path.write_bytes(bytes(data))
    assert "too large" in read_error(path).reason


def test_truncated_tiff(tmp_path):
    path = tmp_path / "truncated.tif"
    tifffile.imwrite(path, np.ones((64, 64), dtype=np.uint16))
    path.write_bytes(path.read_bytes()[:100])
    read_error(path)


def test_tiff_compression_without_its_codec_says_so(tmp_path):
    path = tmp_path / "jetraw.tif"
    tifffile.imwrite(path, np.zeros((16, 16), dtype=np.uint16))
    with tifffile.TiffFile(path, mode="r+") as tif:  # Jetraw: its codec needs a vendor's SDK
        tif.pages[0].tags["Compression"].overwrite(48124)
    reason = read_error(path).reason
    assert reason.startswith("its TIFF compression needs a codec not installed")
    assert "jetraw" in reason


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.txt", b"just some text, not an image\n" * 10, "unsupported"),
        ("photo.gif", b"GIF89a" + bytes(100), "unsupported"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(200), "invalid or corrupt JPEG"),
        ("fake.jpg", b"GIF89a" + bytes(100), "not a valid JPEG"),
        ("fake.png", b"GIF89a" + bytes(100), "not a valid PNG"),
        ("fake.tif", b"hello" * 40, "not a valid TIFF"),
    ],
)
def test_unsupported_or_mislabelled_format(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    assert reason in read_error(path).reason


@pytest.mark.parametrize(
    ("array", "reason"),
    [
        (np.zeros((2, 8, 8), dtype=np.float32), "2-D"),
        (np.zeros(8, dtype=np.uint16), "2-D"),
        (np.zeros((8, 8), dtype=np.complex64), "unsupported pixel data type"),
        (np.zeros((8, 8), dtype=np.int64), "unsupported pixel data type"),
        (np.array([[np.nan, 1.0]], dtype=np.float32), "NaN"),
        (np.array([[1, None]], dtype=object), "corrupt"),
    ],
)
def test_bad_npy(tmp_path, array, reason):
    path = tmp_path / "bad.npy"
    np.save(path, array, allow_pickle=True)
    assert reason in read_error(path).reason


def test_truncated_npy(tmp_path):
    path = tmp_path / "truncated.npy"
    np.save(path, np.zeros((64, 64), dtype=np.float32))
    path.write_bytes(path.read_bytes()[:500])
    read_error(path)


@pytest.mark.parametrize("frame", [1, -1])
def test_single_frame_formats_have_only_frame_0(tmp_path, frame):
    path = tmp_path / "one.npy"
    np.save(path, np.zeros((4, 4), dtype=np.float32))
    assert "out of range" in read_error(path, frame=frame).reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"just some text, not an image\n" * 10, "not a DICOM file"),
        (np.random.default_rng(5).bytes(4000), "not a DICOM file"),
        (gzip.compress(b"\0" * 128 + b"DICM" + bytes(300)), "gzip-compressed"),
    ],
    ids=["text", "random", "gzip"],
)
def test_a_file_named_dcm_that_is_not_dicom_says_so(tmp_path, content, reason):
    path = tmp_path / "scan.dcm"
    path.write_bytes(content)
    assert reason in read_error(path).reason


def test_empty_pixel_data(tmp_path, write_dx):
    path = write_dx(np.zeros((8, 8), np.uint16))
    ds = pydicom.dcmread(path)
    ds.PixelData = b""
    ds.save_as(path, enforce_file_format=True)
    assert read_error(path).reason == "the pixel data is empty"


def test_monochrome_with_three_samples_is_refused_before_decoding(tmp_path, write_dx):
    path = write_dx(np.zeros((8, 8), np.uint16))
    ds = pydicom.dcmread(path)
    ds.SamplesPerPixel = 3
    ds.save_as(path, enforce_file_format=True)
    reason = read_error(path).reason
    assert reason == "MONOCHROME2 with 3 samples per pixel is not a valid combination"
