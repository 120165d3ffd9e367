"""JPEG and JPEG-LS DICOM frames decoded by imagecodecs, as a pydicom pixel data plugin.

imagecodecs (BSD-3-Clause) carries libjpeg-turbo 3, which decodes 8-bit and 12-bit
lossy JPEG and lossless JPEG (process 14, any predictor, 2 to 16 bits), and CharLS,
which decodes JPEG-LS. It takes the place of pydicom's pylibjpeg plugin for these
syntaxes, which needs pylibjpeg-libjpeg: that library is GPL-3.0, so an MIT-licensed
bundle cannot carry it.

:func:`register_plugin` makes this plugin pydicom's only decoder of these transfer
syntaxes (``core.io`` calls it on import), so a development environment that still has
pylibjpeg-libjpeg or python-gdcm decodes exactly as the bundle does. pydicom's
interface: :func:`is_available` and ``DECODER_DEPENDENCIES`` say whether the plugin
can run, and :func:`decode_frame` returns one frame's samples as pydicom expects them:
as stored, with no colour conversion (pydicom converts YBR to RGB itself), pixel
interleaved, in 8-bit or 16-bit containers by the codestream's precision.
"""

from __future__ import annotations

from pydicom.pixels import get_decoder
from pydicom.pixels.decoders.base import Decoder, DecodeRunner
from pydicom.uid import (
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
)

try:
    import imagecodecs
except ImportError:  # a dependency, but without it DICOM still opens: see register_plugin
    imagecodecs = None

PLUGIN_LABEL = "imagecodecs"
"""The plugin's name among pydicom's decoders (``decoding_plugin="imagecodecs"``)."""

JPEG_SYNTAXES = (JPEGBaseline8Bit, JPEGExtended12Bit, JPEGLossless, JPEGLosslessSV1)
"""Decoded by libjpeg-turbo (``imagecodecs.jpeg8_decode``)."""
JPEG_LS_SYNTAXES = (JPEGLSLossless, JPEGLSNearLossless)
"""Decoded by CharLS (``imagecodecs.jpegls_decode``)."""

DECODER_DEPENDENCIES = dict.fromkeys(JPEG_SYNTAXES + JPEG_LS_SYNTAXES, ("imagecodecs>=2024.6.1",))
"""What pydicom names as missing when :func:`is_available` is false."""


def is_available(uid: str) -> bool:
    """Return whether imagecodecs' codec for transfer syntax `uid` can be loaded.

    Parameters
    ----------
    uid : str
        A transfer syntax UID.

    Returns
    -------
    bool
        False for other syntaxes, or where imagecodecs or the codec's extension module
        is missing.
    """
    if imagecodecs is None:
        return False
    if uid in JPEG_SYNTAXES:
        return bool(imagecodecs.JPEG8.available)
    if uid in JPEG_LS_SYNTAXES:
        return bool(imagecodecs.JPEGLS.available)
    return False


def decode_frame(src: bytes, runner: DecodeRunner) -> bytes:
    """Decode one JPEG or JPEG-LS frame to its samples, as pydicom's decoders return them.

    Parameters
    ----------
    src : bytes
        The frame's codestream.
    runner : pydicom.pixels.decoders.base.DecodeRunner
        pydicom's decoding state: the transfer syntax and samples per pixel are read, and
        the decoded container size (``bits_allocated``) and sample order
        (``planar_configuration``) are set on it.

    Returns
    -------
    bytes
        The samples, pixel interleaved, 1 byte each up to 8 bits of precision, else 2.
    """
    if runner.transfer_syntax in JPEG_LS_SYNTAXES:
        decoded = imagecodecs.jpegls_decode(src)
    else:
        # The same colour space in and out: the components come back as stored. For
        # 3 components libjpeg-turbo would otherwise convert YCbCr to RGB.
        colorspace = "YCbCr" if runner.samples_per_pixel == 3 else None
        decoded = imagecodecs.jpeg8_decode(src, colorspace=colorspace, outcolorspace=colorspace)
    runner.set_option("bits_allocated", 8 * decoded.dtype.itemsize)
    if runner.samples_per_pixel > 1:
        runner.set_option("planar_configuration", 0)  # tobytes() interleaves a planar result
    return decoded.tobytes()


def register_plugin() -> None:
    """Make this plugin pydicom's only decoder of JPEG and JPEG-LS pixel data.

    Each syntax's other available plugins are removed, so that pylibjpeg-libjpeg (GPL)
    is never used where it is still installed. Where the syntax's imagecodecs codec is
    missing, pydicom's own plugins stay and this one is listed as needing imagecodecs.
    Calling it again changes nothing.
    """
    for syntax in JPEG_SYNTAXES + JPEG_LS_SYNTAXES:
        decoder = get_decoder(syntax)
        if _has_plugin(decoder):
            continue
        if is_available(syntax):
            for label in decoder.available_plugins:
                decoder.remove_plugin(label)
        decoder.add_plugin(PLUGIN_LABEL, (__name__, "decode_frame"))


def _has_plugin(decoder: Decoder) -> bool:
    """Whether this plugin was added to `decoder`, available or not."""
    missing = (line.split(" - ", 1)[0] for line in decoder.missing_dependencies)
    return PLUGIN_LABEL in (*decoder.available_plugins, *missing)
