"""Write PNG, TIFF and ``.npy`` files atomically.

A PNG's or TIFF's description is the history of its image: what was done to the source
before (:func:`source_history`), then what was done now, then the notice.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import tifffile
from PIL import Image, PngImagePlugin

from core.code_version import software
from core.errors import ImageWriteError, issue_warning
from core.image import XrayImage
from core.io.atomic import atomic_write
from core.io.dicom_write import NOTICE_PREFIX
from core.io.dtypes import stored_pixels
from core.io.notice import with_notice
from core.io.raster_read import UNSCALED
from core.io.source_record import described_history, joined_history

DESCRIPTION_MAX = 10240
"""Longest history a PNG's or TIFF's description keeps, in characters (as a DICOM LT
value): beyond it the oldest goes first (:func:`core.io.source_record.joined_history`),
so that a file derived again and again keeps a description every reader reads whole."""


def source_history(image: XrayImage) -> str:
    """Return what was done to `image`'s source file before, as its file recorded it when read.

    Parameters
    ----------
    image : XrayImage
        An image read from a file, or made from one.

    Returns
    -------
    str
        A DICOM's DerivationDescription without its leading notice; a PNG's or TIFF's
        description as this program wrote it, without its notice and source record
        (:func:`core.io.source_record.described_history`); "" for anything else.
    """
    if image.dataset is not None:
        derivation = str(image.dataset.get("DerivationDescription", "")).strip()
        return derivation.removeprefix(NOTICE_PREFIX).strip()
    if image.source_format in ("png", "tiff"):
        return described_history(image.metadata.get("Description"))
    return ""


def _with_history(image: XrayImage, description: str) -> str:
    """Return `description` after the history of `image`'s source, then the notice."""
    return with_notice(joined_history(source_history(image), description, DESCRIPTION_MAX))


def write_png(image: XrayImage, path: Path, *, description: str, overwrite: bool) -> Path:
    """Write the stored values as a grayscale PNG: 8-bit for 8-bit sources, else 16-bit.

    Data of 9 to 15 bits (a 12-bit DICOM, say) are scaled up to 16 bits by
    left-bit replication, so that their maximum becomes 65535, and an sBIT chunk
    names their bits, as the PNG specification asks [1]_: viewers show them on the
    full range, and readers that honour sBIT (:func:`core.io.raster_read.read_png`
    among them) shift them back to the original values. Values read unscaled from a
    PNG with an sBIT chunk (``metadata[UNSCALED]``, :func:`core.io.raster_read.read_png`)
    are written unscaled again, with the sBIT chunk, so that their file keeps its scale.

    The pixel spacing, where known, goes into a pHYs chunk (whole pixels per metre).

    PNG has no MONOCHROME1: the values are written unchanged, so other viewers
    show such an image inverted (an :class:`XrayWarning` says so). Nor has it a
    rescale: the stored values are written without it, and a warning says so
    (:func:`_warn_rescale_dropped`).

    Parameters
    ----------
    image : XrayImage
        An image with an unsigned integer mapping of at most 16 bits.
    path : Path
        Destination.
    description : str
        What was done to the image. Stored in the PNG ``Description`` text chunk
        after what was done to its source before (:func:`source_history`), and
        followed by "Not for diagnostic use" (:func:`core.io.notice.with_notice`).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        `path`.

    Raises
    ------
    ImageWriteError
        For float, signed or wider-than-16-bit data, and any write failure.

    References
    ----------
    .. [1] W3C, "Portable Network Graphics (PNG) Specification (Second Edition)",
       ISO/IEC 15948:2003, sections 12.5 "Sample depth scaling" and 11.3.3.4
       "sBIT Significant bits".
    """
    mapping = image.mapping
    if mapping.is_float or mapping.signed or mapping.bits_stored > 16:
        raise ImageWriteError(
            path,
            "PNG holds only unsigned 8 or 16-bit values; save this image as .tif, .dcm or .npy",
        )
    if image.photometric == "MONOCHROME1":
        issue_warning(
            f"{path}: PNG has no MONOCHROME1; other viewers will show this image inverted",
            stacklevel=3,
        )
    _warn_rescale_dropped(image, path, "PNG")
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Description", _with_history(image, description))
    info.add_text("Software", software())
    samples = stored_pixels(image)
    if 8 < mapping.bits_stored < 16:  # 12-bit data, say, in 16-bit samples: sBIT says so
        if not image.metadata.get(UNSCALED):
            samples = _scaled_to_16_bits(samples, mapping.bits_stored)
        info.add(b"sBIT", bytes([mapping.bits_stored]))
    spacing = _known_spacing(image)
    dpi = None if spacing is None else _png_dpi(spacing)
    with atomic_write(path, overwrite=overwrite, source=image.source_path) as file:
        Image.fromarray(samples).save(file, format="PNG", pnginfo=info, dpi=dpi)
    return path


def _warn_rescale_dropped(image: XrayImage, path: Path, format_name: str) -> None:
    """Warn that `image`'s stored values are written without their rescale, if it has one.

    PNG and TIFF hold the stored integers; a DICOM's RescaleSlope and
    RescaleIntercept (other than 1 and 0) are lost, so the file reads back in
    stored units, not in the source's modality units. A Modality LUT table needs
    no warning: :func:`core.io.dicom_read.read_dicom` has applied it, and its
    outputs are the stored values written.
    """
    mapping = image.mapping
    if mapping.is_float or (mapping.slope == 1 and mapping.intercept == 0):
        return
    issue_warning(
        f"{path}: written as stored values; the rescale (slope {mapping.slope:g}, "
        f"intercept {mapping.intercept:g}) is not kept by {format_name}: "
        "read it back in stored units",
        stacklevel=4,
    )


def _scaled_to_16_bits(stored: np.ndarray, bits: int) -> np.ndarray:
    """Scale `bits`-bit values (9 to 15) up to 16 bits by left-bit replication.

    The value fills the high bits and its own high bits are repeated in the low
    ones, so 0 stays 0 and ``2**bits - 1`` becomes 65535; shifting right by
    ``16 - bits`` gives the value back.
    """
    shift = 16 - bits
    wide = stored.astype(np.uint32)
    return ((wide << shift) | (wide >> (bits - shift))).astype(np.uint16)


def _known_spacing(image: XrayImage) -> tuple[float, float] | None:
    """Return the image's (row, column) pixel spacing in mm, or None if unknown or invalid."""
    spacing = image.pixel_spacing
    if spacing is None or not all(math.isfinite(v) and v > 0 for v in spacing):
        return None
    return spacing


def _png_dpi(spacing: tuple[float, float]) -> tuple[float, float] | None:
    """Return the x and y dots per inch of a (row, column) spacing in mm, or None.

    Pillow writes them as PNG's pHYs chunk, in whole pixels per metre; None where a
    spacing gives no number of pixels per metre that the chunk can hold.
    """
    if not all(1 <= round(1000 / mm) < 2**31 for mm in spacing):
        return None
    row, column = spacing
    return 25.4 / column, 25.4 / row


def write_tiff(image: XrayImage, path: Path, *, description: str, overwrite: bool) -> Path:
    """Write a TIFF with the source's bit depth (float32 for float sources), uncompressed.

    The pixel spacing, where known, goes into XResolution and YResolution, in
    pixels per centimetre (ResolutionUnit 3). The rescale is not (TIFF has
    none): a warning says so (:func:`_warn_rescale_dropped`).

    Parameters
    ----------
    image : XrayImage
        The image; MONOCHROME1 is written as MINISWHITE.
    path : Path
        Destination.
    description : str
        What was done to the image. Stored as the TIFF ImageDescription after what
        was done to its source before (:func:`source_history`), and followed by "Not
        for diagnostic use"; characters beyond ASCII, which TIFF strings cannot hold,
        as Python's backslash escapes.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        `path`.

    Raises
    ------
    ImageWriteError
        For any write failure.
    """
    _warn_rescale_dropped(image, path, "TIFF")
    photometric = "miniswhite" if image.photometric == "MONOCHROME1" else "minisblack"
    spacing = _known_spacing(image)
    resolution = None if spacing is None else (10 / spacing[1], 10 / spacing[0])
    samples = stored_pixels(image)
    with atomic_write(
        path, overwrite=overwrite, source=image.source_path, needed=samples.nbytes
    ) as file:
        tifffile.imwrite(
            file,
            samples,
            photometric=photometric,
            description=_with_history(image, description)
            .encode("ascii", "backslashreplace")
            .decode("ascii"),
            software=software(),
            resolution=resolution,
            resolutionunit=None if resolution is None else "CENTIMETER",
            metadata=None,
        )
    return path


def write_npy(image: XrayImage, path: Path, *, overwrite: bool) -> Path:
    """Write the pixel values (not the stored values) as a float32 ``.npy`` array.

    Parameters
    ----------
    image : XrayImage
        The image.
    path : Path
        Destination.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        `path`.

    Raises
    ------
    ImageWriteError
        For any write failure.
    """
    pixels = image.pixels.astype(np.float32)
    with atomic_write(
        path, overwrite=overwrite, source=image.source_path, needed=pixels.nbytes
    ) as file:
        np.save(file, pixels, allow_pickle=False)
    return path
