"""A lossy JPEG or JPEG-LS codestream is marked lossy whatever its transfer syntax says.

A DCT (baseline) codestream under JPEG Lossless SV1, or a JPEG-LS one with NEAR above 0
under JPEG-LS Lossless, decodes: only the codestream tells it lost data. Its derived
image was not marked lossy (a lossy JPEG 2000 one under .90 was). The reader now reads
the SOF marker and the scan's NEAR and point transform, and marks the header
LossyImageCompression "01" with the method; lossless codestreams stay unmarked.
"""

import struct

import numpy as np
import pydicom
import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGLosslessSV1, JPEGLSLossless

from core.io import read_image, write_image
from core.io.codestream import jpeg_lossy_method

imagecodecs = pytest.importorskip("imagecodecs")


def film():
    rng = np.random.default_rng(3)
    _, xx = np.mgrid[0:48, 0:40]
    return np.clip(np.rint(100 + 3 * xx + rng.normal(0, 9, xx.shape)), 0, 255).astype(np.uint8)


def encoded(kind, values):
    if kind == "dct":
        return imagecodecs.jpeg8_encode(values, level=90)
    if kind == "jpeg lossless":
        return imagecodecs.jpeg8_encode(values, lossless=True, predictor=1)
    if kind == "near":
        return imagecodecs.jpegls_encode(values, level=2)
    return imagecodecs.jpegls_encode(values)


def source(write_dx, syntax, kind):
    """An 8-bit CR under `syntax` holding a codestream of `kind`, not declared lossy."""
    values = film()
    ds = pydicom.dcmread(write_dx(values, bits_stored=8))
    ds.file_meta.TransferSyntaxUID = syntax
    ds.PixelData = encapsulate([encoded(kind, values)])
    ds["PixelData"].VR = "OB"
    for keyword in ("LossyImageCompression", "LossyImageCompressionMethod"):
        if keyword in ds:
            delattr(ds, keyword)
    ds.save_as(ds.filename, enforce_file_format=True)
    return ds.filename


@pytest.mark.parametrize(
    ("syntax", "kind", "method"),
    [
        (JPEGLosslessSV1, "dct", "ISO_10918_1"),
        (JPEGLSLossless, "near", "ISO_14495_1"),
        (JPEGLosslessSV1, "jpeg lossless", None),
        (JPEGLSLossless, "jpeg-ls lossless", None),
    ],
)
def test_the_derived_image_says_what_the_codestream_is(tmp_path, write_dx, syntax, kind, method):
    image = read_image(source(write_dx, syntax, kind))
    out = write_image(image, tmp_path / "out.dcm", description="denoised")
    ds = pydicom.dcmread(out)
    if method is None:
        assert "LossyImageCompression" not in ds
    else:
        assert ds.LossyImageCompression == "01"
        assert ds.LossyImageCompressionMethod == method


def scan(frame_marker, parameters):
    """SOI, a one-component SOF of `frame_marker`, and an SOS ending in `parameters`."""
    sof = struct.pack(">HHBHHBBBB", frame_marker, 11, 8, 8, 8, 1, 1, 0x11, 0)
    sos = struct.pack(">HHBBB", 0xFFDA, 8, 1, 1, 0) + bytes(parameters)
    return b"\xff\xd8" + sof + sos + b"\x00" * 16


@pytest.mark.parametrize(
    ("frame_marker", "parameters", "method"),
    [
        (0xFFC3, (1, 0, 0x00), None),  # lossless, predictor 1
        (0xFFC3, (1, 0, 0x02), "ISO_10918_1"),  # lossless process, point transform 2
        (0xFFC1, (0, 63, 0x00), "ISO_10918_1"),  # extended DCT
        (0xFFCA, (0, 63, 0x00), "ISO_10918_1"),  # progressive DCT, arithmetic
        (0xFFF7, (0, 0, 0x00), None),  # JPEG-LS, NEAR 0
        (0xFFF7, (3, 0, 0x00), "ISO_14495_1"),  # NEAR 3
        (0xFFF7, (0, 0, 0x01), "ISO_14495_1"),  # point transform 1
    ],
)
def test_the_method_is_read_from_the_frame_and_scan_headers(frame_marker, parameters, method):
    assert jpeg_lossy_method(scan(frame_marker, parameters)) == method
