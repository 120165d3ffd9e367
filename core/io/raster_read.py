"""Read PNG, TIFF, JPEG and ``.npy`` files: stored values as pixels, slope 1, intercept 0."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import tifffile
from PIL import Image
from tifffile import PHOTOMETRIC, PLANARCONFIG

from core.display import auto_window
from core.errors import ImageReadError
from core.image import StoredMapping, XrayImage
from core.io.color import luma, warn_converted
from core.io.dtypes import mapping_for_dtype
from core.io.guards import check_dimensions, check_finite, check_frame

FLOAT32_EXACT = 2**24
"""float32 holds every integer of magnitude up to this exactly (2**24), and not all above."""

_PNG_GRAY_MODES = {"L": 8, "I;16": 16, "I;16B": 16, "I;16L": 16, "I": 16}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path: Path, frame: int) -> XrayImage:
    """Read an 8 or 16-bit PNG; colour, palette and alpha are reduced to gray with a warning.

    Parameters
    ----------
    path : Path
        The file; it is only read.
    frame : int
        Must be 0.

    Returns
    -------
    XrayImage
        Pixels are the stored values; the mapping has 8 or 16 bits, or the
        significant bits of a gray image's sBIT chunk where its values fit in them
        (12-bit data written unscaled into a 16-bit PNG).

    Raises
    ------
    ImageReadError
        For a bad frame index or an oversized image. Decoding failures are
        converted by the caller.
    """
    check_frame(path, frame, 1)
    with _open_with_pillow(path, "PNG") as image:
        cols, rows = image.size
        mode = image.mode
        check_dimensions(
            path,
            rows,
            cols,
            samples=len(image.getbands()),
            bytes_per_sample=2 if mode in _PNG_GRAY_MODES and mode != "L" else 1,
        )
        if mode in _PNG_GRAY_MODES:
            gray, bits = np.asarray(image), _PNG_GRAY_MODES[mode]
            bits = _significant_bits(path, gray, bits)
        elif mode == "1":
            gray, bits = np.asarray(image.convert("L")), 8
        elif mode == "LA":
            gray, bits = np.asarray(image)[..., 0], 8
            warn_converted(path, "alpha channel dropped")
        else:  # RGB, RGBA, P, PA: colour or palette
            rgb = np.asarray(image.convert("RGB"))
            gray, bits = luma(rgb), 8
            dropped = ", alpha dropped" if "A" in mode or "transparency" in image.info else ""
            warn_converted(path, f"{mode} image converted to grayscale (BT.601 luma){dropped}")
    return _image(path, gray, StoredMapping(bits_stored=bits), "png")


def _significant_bits(path: Path, gray: np.ndarray, bits: int) -> int:
    """Return the bits of a gray PNG's data: its sBIT where its values fit, else ``bits``.

    PNG asks for data of fewer bits to be scaled up to the sample depth, with sBIT
    naming the original depth; values that fit in sBIT's bits were written
    unscaled, and their range is that of sBIT's bits.
    """
    significant = _png_sbit(path)
    if significant is None or not 1 <= significant < bits or gray.size == 0:
        return bits
    return significant if int(gray.max()) < 2**significant else bits


def _png_sbit(path: Path) -> int | None:
    """Return the gray significant bits of a PNG's sBIT chunk, or None without one.

    The chunks before the image data are read (sBIT must come before them); a
    damaged header is left for the decoder to report.
    """
    with path.open("rb") as file:
        if file.read(8) != _PNG_SIGNATURE:
            return None
        while True:
            header = file.read(8)
            if len(header) < 8:
                return None
            length, kind = struct.unpack(">I4s", header)
            if kind in (b"IDAT", b"IEND"):
                return None
            if kind == b"sBIT":
                data = file.read(length)
                return data[0] if data else None
            file.seek(length + 4, 1)  # the chunk's data and CRC


def read_jpeg(path: Path, frame: int) -> XrayImage:
    """Read an 8-bit JPEG; colour (RGB, CMYK, YCbCr) is reduced to gray with a warning.

    Parameters
    ----------
    path : Path
        The file; it is only read.
    frame : int
        Must be 0.

    Returns
    -------
    XrayImage
        Pixels are the decoded 8-bit values.

    Raises
    ------
    ImageReadError
        For a bad frame index or an oversized image. Decoding failures (a 12-bit
        JPEG, say, which Pillow cannot decode) are converted by the caller.
    """
    check_frame(path, frame, 1)
    with _open_with_pillow(path, "JPEG") as image:
        cols, rows = image.size
        mode = image.mode
        check_dimensions(path, rows, cols, samples=len(image.getbands()), bytes_per_sample=1)
        if mode == "L":
            gray = np.asarray(image)
        else:
            gray = luma(np.asarray(image.convert("RGB")))
            warn_converted(path, f"{mode} image converted to grayscale (BT.601 luma)")
    return _image(path, gray, StoredMapping(bits_stored=8), "jpeg")


def read_tiff(path: Path, frame: int) -> XrayImage:
    """Read page `frame` of a TIFF: 8/16/32-bit integer or floating-point samples.

    MINISWHITE pages become ``photometric="MONOCHROME1"``; RGB and palette pages
    are converted to BT.601 luma and extra samples (alpha) dropped, with a warning.

    Parameters
    ----------
    path : Path
        The file; it is only read.
    frame : int
        Zero-based page index.

    Returns
    -------
    XrayImage
        Pixels are the stored values; ``n_frames`` is the number of pages.

    Raises
    ------
    ImageReadError
        For a bad page index, an oversized, volumetric or unsupported page.
        Decoding failures are converted by the caller.
    """
    with tifffile.TiffFile(path) as tif:
        n_frames = len(tif.pages)
        if n_frames == 0:
            raise ImageReadError(path, "the TIFF file has no image")
        check_frame(path, frame, n_frames)
        page = tif.pages[frame]
        if page.imagedepth != 1:
            raise ImageReadError(path, "volumetric (3-D) TIFF pages are not supported")
        samples = page.samplesperpixel
        if page.dtype is None:
            raise ImageReadError(path, "unsupported TIFF sample format")
        check_dimensions(
            path,
            page.imagelength,
            page.imagewidth,
            samples=samples,
            bytes_per_sample=np.dtype(page.dtype).itemsize,
        )
        photometric = page.photometric
        colormap = page.colormap
        data = page.asarray()
    if samples > 1 and page.planarconfig == PLANARCONFIG.SEPARATE:
        data = np.moveaxis(data, 0, -1)
    mapping = mapping_for_dtype(path, data.dtype)
    if photometric in (PHOTOMETRIC.MINISBLACK, PHOTOMETRIC.MINISWHITE):
        if samples > 1:
            data = data[..., 0]
            warn_converted(path, f"{samples - 1} extra sample(s) (alpha) dropped")
        gray = data
    elif photometric == PHOTOMETRIC.RGB and samples >= 3:
        gray = luma(data)
        dropped = f", {samples - 3} extra sample(s) (alpha) dropped" if samples > 3 else ""
        warn_converted(path, f"RGB image converted to grayscale (BT.601 luma){dropped}")
    elif photometric == PHOTOMETRIC.PALETTE and colormap is not None and samples == 1:
        gray = luma(np.moveaxis(np.asarray(colormap)[:, data], 0, -1))
        mapping = StoredMapping(bits_stored=16)
        warn_converted(path, "palette colour image converted to grayscale (BT.601 luma)")
    else:
        name = getattr(photometric, "name", photometric)
        raise ImageReadError(
            path, f"unsupported TIFF photometric interpretation {name} with {samples} samples"
        )
    return _image(
        path,
        gray,
        mapping,
        "tiff",
        monochrome1=photometric == PHOTOMETRIC.MINISWHITE,
        n_frames=n_frames,
        frame=frame,
    )


def read_npy(path: Path, frame: int) -> XrayImage:
    """Read a 2-D ``.npy`` array of integers (8 to 32 bits) or floats.

    Parameters
    ----------
    path : Path
        The file; it is only read (memory-mapped, so the size is checked first).
    frame : int
        Must be 0.

    Returns
    -------
    XrayImage
        Pixels are the array values as float32.

    Raises
    ------
    ImageReadError
        For a bad frame index, an array that is not 2-D, an unsupported dtype
        or an oversized array. Decoding failures are converted by the caller.
    """
    check_frame(path, frame, 1)
    array = np.load(path, mmap_mode="r", allow_pickle=False)
    if array.ndim != 2:
        raise ImageReadError(path, f"expected a 2-D array, got shape {array.shape}")
    mapping = mapping_for_dtype(path, array.dtype)
    check_dimensions(path, *array.shape, bytes_per_sample=array.dtype.itemsize)
    return _image(path, np.array(array), mapping, "npy")


def _open_with_pillow(path: Path, format_name: str) -> Image.Image:
    """Open `path` as `format_name` only; an image over Pillow's pixel limit is refused."""
    try:
        return Image.open(path, formats=[format_name])
    except Image.DecompressionBombError as error:
        raise ImageReadError(path, f"image too large ({error})") from None


def _image(
    path: Path,
    values: np.ndarray,
    mapping: StoredMapping,
    source_format: str,
    *,
    monochrome1: bool = False,
    n_frames: int = 1,
    frame: int = 0,
) -> XrayImage:
    """Assemble the XrayImage of raster values, with an automatic window.

    The pixels are float32. Values outside its range are refused; integers beyond
    2**24, which it cannot all hold exactly, are rounded with a warning.
    """
    values = np.asarray(values)
    if values.dtype.kind == "f" and values.dtype.itemsize > 4:
        finite = values[np.isfinite(values)]
        if finite.size and np.abs(finite).max() > np.finfo(np.float32).max:
            raise ImageReadError(path, "values exceed the range of 32-bit floats (3.4e38)")
    if values.dtype.kind in "iu" and values.dtype.itemsize >= 4 and values.size:
        largest = int(max(abs(int(values.min())), abs(int(values.max()))))
        if largest > FLOAT32_EXACT:
            warn_converted(
                path,
                f"integer values up to {largest} rounded to 32-bit floats, which hold "
                f"integers exactly only up to {FLOAT32_EXACT}",
            )
    pixels = values.astype(np.float32)
    if mapping.is_float:
        check_finite(path, pixels)
    return XrayImage(
        pixels=pixels,
        mapping=mapping,
        window=auto_window(pixels),
        photometric="MONOCHROME1" if monochrome1 else "MONOCHROME2",
        source_format=source_format,
        source_path=path,
        frame=frame,
        n_frames=n_frames,
    )
