"""A JPEG 2000 frame under a lossy-capable syntax is lossy unless the header says "00".

A coder may limit the rate of a codestream that uses the reversible 5-3 wavelet: it is
then lossy, and nothing in the codestream says so. The reader only looked for the
irreversible 9-7 wavelet, so a derived image of such a source was not marked lossy.
Under JPEG 2000 (.91), JPEG 2000 Part 2 (.93) and HTJ2K (.203) a frame is now lossy
unless LossyImageCompression says "00"; under the lossless-only syntaxes only the 9-7
wavelet makes it so.
"""

import numpy as np
import pydicom
import pytest
from pydicom.encaps import encapsulate, get_frame
from pydicom.pixels import get_encoder
from pydicom.uid import (
    HTJ2K,
    JPEG2000,
    JPEG2000MC,
    UID,
    HTJ2KLossless,
    HTJ2KLosslessRPCL,
    JPEG2000Lossless,
    JPEG2000MCLossless,
)

from core.io import read_image, write_image
from core.io.codestream import j2k_is_lossy

imagecodecs = pytest.importorskip("imagecodecs")
needs_encoder = pytest.mark.skipif(
    not imagecodecs.JPEG2K.available, reason="imagecodecs has no JPEG 2000 encoder"
)


def film():
    rng = np.random.default_rng(12)
    _, xx = np.mgrid[0:64, 0:64]
    return np.clip(np.rint(1500 + 20 * xx + rng.normal(0, 40, xx.shape)), 0, 4095).astype(np.uint16)


def rate_limited(values):
    """A reversible (5-3) codestream whose rate was limited: its values are not the source's."""
    codestream = imagecodecs.jpeg2k_encode(
        values, level=30, reversible=True, codecformat="J2K", bitspersample=12
    )
    assert np.abs(imagecodecs.jpeg2k_decode(codestream).astype(int) - values).max() > 0
    return codestream


def j2k_source(write_dx, syntax, declared):
    """A CR under `syntax`: a rate-limited 5-3 codestream, LossyImageCompression `declared`."""
    values = film()
    path = write_dx(values)
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = syntax
    ds.PixelData = encapsulate([rate_limited(values)])
    ds["PixelData"].VR = "OB"
    for keyword in ("LossyImageCompression", "LossyImageCompressionMethod"):
        if keyword in ds:
            delattr(ds, keyword)
    if declared is not None:
        ds.LossyImageCompression = declared
    ds.save_as(path)
    return path


@needs_encoder
@pytest.mark.parametrize(
    ("syntax", "declared", "lossy"),
    [
        (JPEG2000, None, True),
        (JPEG2000, "00", False),
        (JPEG2000, "01", True),
        (JPEG2000Lossless, None, False),  # lossless only: a 5-3 codestream there is whole
    ],
)
def test_a_derived_image_says_whether_its_5_3_source_was_lossy(
    tmp_path, write_dx, syntax, declared, lossy
):
    image = read_image(j2k_source(write_dx, syntax, declared))
    assert (image.metadata.get("LossyImageCompression") == "01") == lossy
    ds = pydicom.dcmread(write_image(image, tmp_path / "derived.dcm", description="denoised"))
    assert (ds.get("LossyImageCompression") == "01") == lossy
    assert ds.get("LossyImageCompressionMethod") == ("ISO_15444_1" if lossy else None)


LOSSY_CAPABLE = (JPEG2000, JPEG2000MC, HTJ2K)
LOSSLESS_ONLY = (JPEG2000Lossless, JPEG2000MCLossless, HTJ2KLossless, HTJ2KLosslessRPCL)


@needs_encoder
@pytest.mark.parametrize("syntax", LOSSY_CAPABLE + LOSSLESS_ONLY)
@pytest.mark.parametrize("declared", [None, "", "00", "01"])
def test_which_syntaxes_make_a_5_3_codestream_lossy(syntax, declared):
    codestream = rate_limited(film())
    expected = UID(syntax) in LOSSY_CAPABLE and declared != "00"
    assert j2k_is_lossy(codestream, syntax, declared) == expected


@pytest.mark.skipif(not get_encoder(JPEG2000).is_available, reason="no JPEG 2000 encoder")
@pytest.mark.parametrize("syntax", LOSSY_CAPABLE + LOSSLESS_ONLY)
def test_a_9_7_codestream_is_lossy_whatever_the_syntax_and_header(write_dx, syntax):
    ds = pydicom.dcmread(write_dx(film()))
    ds.compress(JPEG2000, j2k_cr=[20])
    codestream = get_frame(ds.PixelData, 0)
    assert j2k_is_lossy(codestream, syntax, "00")
