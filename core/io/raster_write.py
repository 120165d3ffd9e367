"""Write PNG, TIFF and ``.npy`` files atomically."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import tifffile
from PIL import Image, PngImagePlugin

from core import __version__
from core.errors import ImageWriteError, XrayWarning
from core.image import XrayImage
from core.io.atomic import atomic_write
from core.io.dtypes import stored_pixels
from core.io.notice import with_notice

SOFTWARE = f"xray-denoise {__version__}"


def write_png(image: XrayImage, path: Path, *, description: str, overwrite: bool) -> Path:
    """Write the stored values as a grayscale PNG: 8-bit for 8-bit sources, else 16-bit.

    Data of 9 to 15 bits (a 12-bit DICOM, say) get an sBIT chunk naming their bits, so
    that they are read back on their own range.

    PNG has no MONOCHROME1: the values are written unchanged, so other viewers
    show such an image inverted (an :class:`XrayWarning` says so).

    Parameters
    ----------
    image : XrayImage
        An image with an unsigned integer mapping of at most 16 bits.
    path : Path
        Destination.
    description : str
        Stored in the PNG ``Description`` text chunk, followed by "Not for
        diagnostic use" (:func:`core.io.notice.with_notice`).
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
    """
    mapping = image.mapping
    if mapping.is_float or mapping.signed or mapping.bits_stored > 16:
        raise ImageWriteError(
            path,
            "PNG holds only unsigned 8 or 16-bit values; save this image as .tif, .dcm or .npy",
        )
    if image.photometric == "MONOCHROME1":
        warnings.warn(
            f"{path}: PNG has no MONOCHROME1; other viewers will show this image inverted",
            XrayWarning,
            stacklevel=3,
        )
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Description", with_notice(description))
    info.add_text("Software", SOFTWARE)
    if 8 < mapping.bits_stored < 16:  # 12-bit data, say, in 16-bit samples: sBIT says so
        info.add(b"sBIT", bytes([mapping.bits_stored]))
    with atomic_write(path, overwrite=overwrite, source=image.source_path) as file:
        Image.fromarray(stored_pixels(image)).save(file, format="PNG", pnginfo=info)
    return path


def write_tiff(image: XrayImage, path: Path, *, description: str, overwrite: bool) -> Path:
    """Write a TIFF with the source's bit depth (float32 for float sources), uncompressed.

    Parameters
    ----------
    image : XrayImage
        The image; MONOCHROME1 is written as MINISWHITE.
    path : Path
        Destination.
    description : str
        Stored as the TIFF ImageDescription, followed by "Not for diagnostic use".
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
    photometric = "miniswhite" if image.photometric == "MONOCHROME1" else "minisblack"
    with atomic_write(path, overwrite=overwrite, source=image.source_path) as file:
        tifffile.imwrite(
            file,
            stored_pixels(image),
            photometric=photometric,
            description=with_notice(description),
            software=SOFTWARE,
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
    with atomic_write(path, overwrite=overwrite, source=image.source_path) as file:
        np.save(file, image.pixels.astype(np.float32), allow_pickle=False)
    return path
