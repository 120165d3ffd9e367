"""JPEG and JPEG-LS DICOM decoding through imagecodecs (core.io.jpeg_decode), not GPL libjpeg."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import imagecodecs
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.pixels import convert_color_space, get_decoder, pixel_array
from pydicom.pixels.decoders.base import Decoder
from pydicom.uid import (
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    SecondaryCaptureImageStorage,
    generate_uid,
)

import core.io.jpeg_decode as jpeg_decode
from core.errors import ImageReadError
from core.io import read_image

SYNTAXES = [
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
]
# pydicom's own files of these syntaxes (the ones it ships; the others it downloads), as
# libjpeg decoded them (pylibjpeg-libjpeg 2.5.0 through pydicom 3.0.2's pylibjpeg plugin),
# which is no longer installed with the project (GPL). JPEG-lossy.dcm is left out: libjpeg
# refuses its scan header, so it has no reference.
LIBJPEG_LOSSLESS = {  # name: dtype, shape, SHA-256 of the array's bytes
    # JPEG lossless SV1, RGB
    "SC_rgb_jpeg_gdcm.dcm": (
        "uint8",
        (100, 100, 3),
        "169e619557b12114a7f0be8602026e9abb3d5045804311736ec14cecb026aca9",
    ),
    # JPEG-LS lossless, 16 bits signed
    "MR_small_jpeg_ls_lossless.dcm": (
        "int16",
        (64, 64),
        "88617aaa46138fb1b6e2a951e762d962382354d69f47f8c04d4abff2f6a6a63e",
    ),
    # JPEG-LS near-lossless decodes exactly too
    "JPEGLSNearLossless_08.dcm": (
        "uint8",
        (45, 10),
        "9eb46aa86c342094f826affc35703f71b425ba4ef229fe1711adcf1bb3ca458f",
    ),
    "JPEGLSNearLossless_16.dcm": (
        "uint16",
        (50, 10),
        "f929318278115ce952d85c011f752634e266720680e807bd03bf97ded3f0d3e4",
    ),
    # JPEG-LS, line interleaved
    "SC_rgb_jls_lossy_line.dcm": (
        "uint8",
        (100, 100, 3),
        "bd5344c0a46bc6c0869921680aa72c1ee344be34079d9b9c5b421336f24d798f",
    ),
    # JPEG-LS, sample interleaved
    "SC_rgb_jls_lossy_sample.dcm": (
        "uint8",
        (100, 100, 3),
        "bd5344c0a46bc6c0869921680aa72c1ee344be34079d9b9c5b421336f24d798f",
    ),
}
LIBJPEG_LOSSY = {  # name: dtype, shape, sum, values at _sampled (decoded raw: as stored)
    # 12 bits
    "JPGExtended.dcm": (
        "uint16",
        (1024, 256),
        3770427,
        "1 1 34 1 23 23 10 1 1 1 1 22 28 1 13 1 1 1 4 1",
    ),
    "SC_rgb_jpeg.dcm": (
        "uint8",
        (256, 256, 3),
        47967014,
        "244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244",
    ),
    # Adobe APP14: RGB components
    "SC_rgb_jpeg_app14_dcmd.dcm": (
        "uint8",
        (256, 256, 3),
        48294336,
        "244 246 246 246 246 246 246 246 245 246 244 246 246 246 246 246 246 246 246 246",
    ),
    "SC_jpeg_no_color_transform.dcm": (
        "uint8",
        (256, 256, 3),
        47967014,
        "244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244 244",
    ),
    "SC_jpeg_no_color_transform_2.dcm": (
        "uint8",
        (256, 256, 3),
        48294336,
        "244 246 246 246 246 246 246 246 245 246 244 246 246 246 246 246 246 246 246 246",
    ),
    # YBR_FULL
    "SC_rgb_jpeg_dcmtk.dcm": (
        "uint8",
        (100, 100, 3),
        3836400,
        "76 107 75 142 128 128 166 86 118 64 128 192 203 255 128 192 85 20 29 128",
    ),
    "SC_rgb_jpeg_lossy_gdcm.dcm": (
        "uint8",
        (100, 100, 3),
        3836200,
        "76 91 75 142 128 128 166 86 118 64 128 191 203 239 128 192 85 21 29 128",
    ),
    "SC_rgb_dcmtk_+eb+cr.dcm": (
        "uint8",
        (100, 100, 3),
        3832300,
        "255 127 128 128 64 255 255 255 255 64 254 127 129 0 0 192 0 0 0 0",
    ),
    "SC_rgb_dcmtk_+eb+cy+n1.dcm": (
        "uint8",
        (100, 100, 3),
        3834700,
        "76 92 76 142 128 128 166 86 117 64 128 192 203 239 128 192 84 20 29 127",
    ),
    # YBR_FULL_422
    "SC_rgb_dcmtk_+eb+cy+np.dcm": (
        "uint8",
        (100, 100, 3),
        3834700,
        "76 92 76 142 128 128 166 86 117 64 128 192 203 239 128 192 84 20 29 127",
    ),
    "SC_rgb_dcmtk_+eb+cy+s4.dcm": (
        "uint8",
        (100, 100, 3),
        3836400,
        "76 107 75 142 128 128 166 86 118 64 128 192 203 255 128 192 85 20 29 128",
    ),
    # 3 x 3
    "SC_rgb_small_odd_jpeg.dcm": (
        "uint8",
        (3, 3, 3),
        3456,
        "138 178 147 158 178 129 90 78 129 90 126 108 138 126 147 158 178 147 158 78",
    ),
    # 30 frames, YBR_FULL_422
    "examples_ybr_color.dcm": (
        "uint8",
        (30, 240, 320, 3),
        613482378,
        "0 131 123 60 127 131 1 127 128 1 127 128 1 128 128 0 127 128 84 128",
    ),
}
SAMPLES = 20


def gradient(shape: tuple[int, ...], bits: int, seed: int = 0) -> np.ndarray:
    """A smooth image with noise, using the full range of `bits` bits."""
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    smooth = (np.sin(cols / 7.0) + np.cos(rows / 11.0) + 2) / 4
    if len(shape) == 3:
        smooth = np.stack([smooth, smooth[::-1], smooth[:, ::-1]], axis=-1)
    noisy = smooth * (2**bits - 1) + np.random.default_rng(seed).normal(0, 2 ** max(bits - 6, 0))
    dtype = np.uint8 if bits <= 8 else np.uint16
    return np.clip(np.round(noisy), 0, 2**bits - 1).astype(dtype)


def compressed_dicom(
    path, syntax: str, frames: list[bytes], image: np.ndarray, bits: int, photometric: str
):
    """Write a Secondary Capture DICOM file holding `frames`, codestreams of images like `image`."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = "OT"
    ds.Rows, ds.Columns = image.shape[:2]
    ds.SamplesPerPixel = 3 if image.ndim == 3 else 1
    if image.ndim == 3:
        ds.PlanarConfiguration = 0
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = 8 if bits <= 8 else 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.NumberOfFrames = len(frames)
    ds.PixelData = encapsulate(frames)
    ds["PixelData"].VR = "OB"
    ds.save_as(path, enforce_file_format=True)
    return path


def _sampled(array: np.ndarray) -> np.ndarray:
    """`SAMPLES` values spread over `array` and over its colour components, as int64."""
    return array.reshape(-1)[np.arange(SAMPLES) * 2654435761 % array.size].astype(np.int64)


@pytest.mark.parametrize("syntax", SYNTAXES, ids=lambda uid: uid.name)
def test_imagecodecs_is_the_only_decoder(syntax):
    assert get_decoder(syntax).available_plugins == ("imagecodecs",)


def test_registering_again_changes_nothing():
    jpeg_decode.register_plugin()
    assert all(get_decoder(syntax).available_plugins == ("imagecodecs",) for syntax in SYNTAXES)


def test_without_the_codec_pydicom_plugins_stay(monkeypatch):
    decoder = Decoder(JPEGBaseline8Bit)
    decoder.add_plugin("pillow", ("pydicom.pixels.decoders.pillow", "_decode_frame"))
    monkeypatch.setattr(jpeg_decode, "get_decoder", lambda syntax: decoder)
    monkeypatch.setattr(jpeg_decode, "is_available", lambda syntax: False)
    jpeg_decode.register_plugin()
    jpeg_decode.register_plugin()
    assert decoder.available_plugins == ("pillow",)
    assert decoder.missing_dependencies == ["imagecodecs - requires imagecodecs>=2024.6.1"]


def test_missing_decoder_names_imagecodecs(shipped, monkeypatch):
    monkeypatch.setattr(Decoder, "is_available", property(lambda self: False))
    with pytest.raises(ImageReadError) as info:
        read_image(shipped("MR_small_jpeg_ls_lossless.dcm"))
    assert "install imagecodecs" in info.value.reason
    assert "libjpeg" not in info.value.reason


@pytest.mark.parametrize("bits", [2, 8, 12, 16])
@pytest.mark.parametrize("predictor", [1, 4, 7])
def test_lossless_jpeg_is_exact(tmp_path, bits, predictor):
    images = [gradient((37, 53), bits, seed) for seed in (1, 2)]
    frames = [
        imagecodecs.jpeg8_encode(image, lossless=True, predictor=predictor, bitspersample=bits)
        for image in images
    ]
    syntax = JPEGLosslessSV1 if predictor == 1 else JPEGLossless
    path = compressed_dicom(tmp_path / "ljpeg.dcm", syntax, frames, images[0], bits, "MONOCHROME2")
    for index, image in enumerate(images):
        decoded = read_image(path, frame=index)
        np.testing.assert_array_equal(decoded.mapping.to_stored(decoded.pixels), image)


def test_lossless_rgb_jpeg_is_exact(tmp_path):
    image = gradient((33, 41, 3), 12)
    frame = imagecodecs.jpeg8_encode(
        image, lossless=True, bitspersample=12, colorspace="RGB", outcolorspace="RGB"
    )
    path = compressed_dicom(tmp_path / "rgb.dcm", JPEGLosslessSV1, [frame], image, 12, "RGB")
    np.testing.assert_array_equal(pixel_array(path), image)


@pytest.mark.parametrize("bits", [2, 5, 8, 12, 16])
def test_jpeg_ls_is_exact_or_within_its_near_bound(tmp_path, bits):
    image = gradient((29, 31), bits)
    for syntax, near in ((JPEGLSLossless, 0), (JPEGLSNearLossless, 2)):
        frame = imagecodecs.jpegls_encode(image, level=near)
        path = compressed_dicom(tmp_path / "jls.dcm", syntax, [frame], image, bits, "MONOCHROME2")
        decoded = pixel_array(path)
        assert np.abs(decoded.astype(np.int64) - image).max() <= near


def test_twelve_bit_lossy_jpeg(tmp_path):
    image = gradient((64, 80), 12)
    frame = imagecodecs.jpeg8_encode(image, level=95, bitspersample=12)
    path = compressed_dicom(
        tmp_path / "j12.dcm", JPEGExtended12Bit, [frame], image, 12, "MONOCHROME2"
    )
    decoded = pixel_array(path)
    assert decoded.dtype == np.uint16
    assert np.abs(decoded.astype(np.int64) - image).mean() < 2**12 / 200


@pytest.mark.parametrize("subsampling", ["444", "422", "420"])
def test_ycbcr_jpeg_is_returned_as_stored_and_converted_by_pydicom(tmp_path, subsampling):
    image = gradient((48, 64, 3), 8)
    frame = imagecodecs.jpeg8_encode(image, level=95, subsampling=subsampling)  # JFIF YCbCr
    photometric = "YBR_FULL" if subsampling == "444" else "YBR_FULL_422"
    path = compressed_dicom(tmp_path / "ybr.dcm", JPEGBaseline8Bit, [frame], image, 8, photometric)
    raw = pixel_array(path, raw=True)
    rgb = pixel_array(path)
    np.testing.assert_array_equal(rgb, convert_color_space(raw, photometric, "RGB"))
    assert np.abs(rgb.astype(np.int64) - image).mean() < 3  # converted once, not twice


@pytest.mark.parametrize("name", LIBJPEG_LOSSLESS)
def test_pydicom_lossless_files_match_libjpeg(shipped, name):
    dtype, shape, digest = LIBJPEG_LOSSLESS[name]
    ours = pixel_array(pydicom.dcmread(shipped(name)), decoding_plugin="imagecodecs")
    assert (ours.dtype.name, ours.shape) == (dtype, shape)
    assert hashlib.sha256(np.ascontiguousarray(ours).tobytes()).hexdigest() == digest


@pytest.mark.filterwarnings("ignore:Expected explicit VR")  # SC_rgb_jpeg.dcm's header
@pytest.mark.parametrize("name", LIBJPEG_LOSSY)
def test_pydicom_lossy_files_within_one_of_libjpeg(shipped, name):
    dtype, shape, total, sampled = LIBJPEG_LOSSY[name]
    ours = pixel_array(pydicom.dcmread(shipped(name)), decoding_plugin="imagecodecs", raw=True)
    assert (ours.dtype.name, ours.shape) == (dtype, shape)
    assert np.abs(_sampled(ours) - np.array(sampled.split(), dtype=np.int64)).max() <= 1
    # Inverse DCTs round apart by one at most, here on a few per cent of the values.
    assert abs(int(ours.sum(dtype=np.int64)) - total) <= 0.05 * ours.size


def test_every_jpeg_syntax_reads_without_pylibjpeg_libjpeg(shipped):
    # A fresh process in which pylibjpeg-libjpeg is not installed, as in the bundle: its
    # entry points and module are hidden before pydicom loads the pylibjpeg plugins.
    names = ["JPGExtended.dcm", "SC_rgb_jpeg_gdcm.dcm", "MR_small_jpeg_ls_lossless.dcm"]
    names += ["JPEGLSNearLossless_16.dcm", "SC_rgb_jpeg_dcmtk.dcm"]
    code = f"""
import importlib.metadata, sys, warnings
installed = importlib.metadata.distributions
importlib.metadata.distributions = lambda **kwargs: (
    d for d in installed(**kwargs) if d.metadata["Name"] != "pylibjpeg-libjpeg"
)
sys.modules["libjpeg"] = None
warnings.simplefilter("ignore")
from core.io import read_image
for path in {[str(shipped(name)) for name in names]!r}:
    print(read_image(path).pixels.shape)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:5] == [
        "(1024, 256)",
        "(100, 100)",
        "(64, 64)",
        "(50, 10)",
        "(100, 100)",
    ]
