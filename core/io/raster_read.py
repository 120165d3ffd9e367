"""Read PNG, TIFF, JPEG and ``.npy`` files: stored values as pixels, slope 1, intercept 0."""

from __future__ import annotations

import math
import struct
from dataclasses import replace
from pathlib import Path

import numpy as np
import tifffile
from PIL import Image
from tifffile import COMPRESSION, PHOTOMETRIC, PLANARCONFIG

from core.display import auto_window, made_window_function
from core.errors import ImageReadError
from core.image import StoredMapping, XrayImage
from core.io.codestream import EXPANSION_EXEMPT_BYTES, MAX_EXPANSION
from core.io.color import luma, warn_converted
from core.io.dtypes import mapping_for_dtype
from core.io.guards import (
    check_dimensions,
    check_finite,
    check_frame,
    warn_float32_error,
    working_bytes,
)

_PNG_GRAY_MODES = {"L": 8, "I;16": 16, "I;16B": 16, "I;16L": 16, "I": 16}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_PNG_SAMPLES = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
"""Samples per pixel of each PNG colour type (IHDR): gray, RGB, palette, gray+alpha, RGBA."""

UNSCALED = "SignificantBitsUnscaled"
"""The metadata key, True where a PNG held values of fewer bits than its samples (its
sBIT's) unscaled, as :func:`core.io.raster_write.write_png` then writes them again."""

_JPEG_ARITHMETIC_SOF = (0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF)
"""The SOF markers of arithmetic-coded JPEG (ISO/IEC 10918-1 Table B.1)."""

_JPEG_IN_SCAN = frozenset((0x00, *range(0xD0, 0xD8)))
"""The bytes after 0xFF that a scan's data holds: a stuffed zero and the RSTn markers."""

_ORIENTATION = 0x0112
"""The EXIF and TIFF Orientation tag (274)."""

_UPRIGHT = {
    2: np.fliplr,
    3: lambda a: np.rot90(a, 2),
    4: np.flipud,
    5: np.transpose,
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.rot90(a, 2).T,
    8: lambda a: np.rot90(a, 1),
}
"""How the stored rows of each Orientation value (2 to 8; 1 is upright) are turned upright
(TIFF 6.0 tag 274, as EXIF uses it): 2 mirrored, 3 turned 180 degrees, 4 flipped, 5
transposed, 6 turned a quarter clockwise, 7 transversed, 8 a quarter anticlockwise."""

TIFF_LOSSY = {
    COMPRESSION.JPEG: "ISO_10918_1",
    COMPRESSION.OJPEG: "ISO_10918_1",
    COMPRESSION.WEBP: None,
    COMPRESSION.JPEGXR: None,
}
"""TIFF compressions that lose data, with the DICOM LossyImageCompressionMethod of each."""

JPEG_LOSSY = {"LossyImageCompression": "01", "LossyImageCompressionMethod": "ISO_10918_1"}
"""The metadata of a JPEG file's image, as of a lossy DICOM's: JPEG's DCT (ISO 10918-1) loses
data at every quality this reader decodes."""

SCREEN_DPI = (72, 96)
"""Resolutions that editors, screenshots and TIFF/PNG writers put in by default.

A density of 72 or 96 dots per inch says how large to print or show the image,
not the pitch of a detector, so it gives no pixel spacing. Any other density in
a physical unit (PNG's metre; TIFF's centimetre or inch, a film scanner's dpi)
is read as the spacing.
"""

_MM_PER_TIFF_UNIT = {2: 25.4, 3: 10.0}
"""Millimetres per TIFF ResolutionUnit: 2 inch, 3 centimetre (1, none, is no length)."""


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
        significant bits of its sBIT chunk, with the values brought back to them
        (:func:`_unscaled`); ``metadata["SignificantBitsUnscaled"]`` is True where the
        file held them unscaled, for :func:`core.io.raster_write.write_png` to write
        them so again. 16-bit colour keeps its 16 bits (:func:`_png16_colour`). The
        pixel spacing comes from a pHYs chunk in pixels per metre, except at 72 or
        96 dpi (:data:`SCREEN_DPI`). An EXIF Orientation (an eXIf chunk) is applied
        (:func:`_upright`).

    Raises
    ------
    ImageReadError
        For a bad frame index, or an image oversized or too large for its bytes
        (:func:`_check_expansion`). Decoding failures are converted by the caller.
    """
    check_frame(path, frame, 1)
    chunks = _png_chunks(path, (b"IHDR", b"sBIT", b"pHYs"))
    depth, colour = _png_depth_and_colour(chunks.get(b"IHDR"))
    sbit = chunks.get(b"sBIT")
    with _open_with_pillow(path, "PNG") as image:
        cols, rows = image.size
        mode = image.mode
        layout = {
            "samples": _PNG_SAMPLES.get(colour, len(image.getbands())),
            "bytes_per_sample": 2 if depth == 16 else 1,
        }
        check_dimensions(path, rows, cols, **layout)
        _check_expansion(path, "PNG", path.stat().st_size, rows, cols, **layout)
        description = str(image.info.get("Description") or "")
        orientation = image.getexif().get(_ORIENTATION)
        unscaled = False
        if depth == 16 and colour in (2, 4, 6):  # Pillow would give 8 bits
            gray, bits, unscaled = _png16_colour(path, colour, sbit)
        elif mode in _PNG_GRAY_MODES:
            gray, bits, unscaled = _unscaled(np.asarray(image), _PNG_GRAY_MODES[mode], sbit)
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
    gray, spacing = _upright(path, gray, _png_spacing(chunks.get(b"pHYs")), orientation)
    image = _image(path, gray, StoredMapping(bits_stored=bits), "png", pixel_spacing=spacing)
    if unscaled:
        image = replace(image, metadata={**image.metadata, UNSCALED: True})
    return _described(image, description)


def _png_depth_and_colour(ihdr: bytes | None) -> tuple[int | None, int | None]:
    """Return the bit depth and colour type of a PNG's IHDR chunk, or Nones if it is damaged."""
    if ihdr is None or len(ihdr) != 13:
        return None, None
    return ihdr[8], ihdr[9]


def _png16_colour(path: Path, colour: int, sbit: bytes | None) -> tuple[np.ndarray, int, bool]:
    """Return the gray values, bits and scaling of a 16-bit gray+alpha, RGB or RGBA PNG.

    Pillow opens such a file as 8-bit RGB or RGBA, losing the low bytes, so it is
    decoded by imagecodecs: gray+alpha (colour type 4) keeps its gray channel, RGB and
    RGBA (types 2 and 6) become their BT.601 luma rounded to 16 bits, alpha dropped,
    with the warnings of 8-bit colour. The bits are 16, or those of the gray channel's
    sBIT (the largest of the colour channels' for RGB), the values brought back to
    them (:func:`_unscaled`).
    """
    import imagecodecs  # a dependency; missing, the caller names it

    decoded = np.asarray(imagecodecs.png_decode(path.read_bytes()))
    if decoded.ndim != 3 or decoded.shape[-1] != _PNG_SAMPLES[colour]:
        raise ImageReadError(path, f"16-bit PNG decoded as shape {decoded.shape}")
    if colour == 4:
        gray = decoded[..., 0]
        warn_converted(path, "alpha channel dropped")
        significant = sbit[:1] if sbit else None
    else:
        gray = np.clip(np.rint(luma(decoded)), 0, 65535).astype(np.uint16)
        mode = "RGB" if colour == 2 else "RGBA"
        dropped = ", alpha dropped" if colour == 6 else ""
        warn_converted(path, f"{mode} image converted to grayscale (BT.601 luma){dropped}")
        significant = bytes([max(sbit[:3])]) if sbit and len(sbit) >= 3 else None
    return _unscaled(gray.astype(np.uint16), 16, significant)


def _unscaled(gray: np.ndarray, bits: int, sbit: bytes | None) -> tuple[np.ndarray, int, bool]:
    """Return a gray PNG's values on their own scale, their bits, and whether held unscaled.

    PNG asks for data of fewer bits to be scaled up to the sample depth, with sBIT
    naming the original depth, and a shift right by the difference gives the values
    back, whether the low bits repeat the high ones (left-bit replication, as
    :func:`core.io.raster_write.write_png` writes) or are zero. Some writers (and earlier
    versions of this program) write the values unscaled with sBIT: such values fit in
    sBIT's bits and use the low bits, and are kept as they are, the third value True
    (:data:`UNSCALED`). (Scaled values that fit in sBIT's bits, those of a dark image,
    have zero low bits, so they are told apart; unscaled values that all happen to be
    multiples of the shift's power of two are not.)
    """
    significant = sbit[0] if sbit else None
    if significant is None or not 1 <= significant < bits or gray.size == 0:
        return gray, bits, False
    shift = bits - significant
    written_unscaled = int(gray.max()) < 2**significant and bool(np.any(gray & (2**shift - 1)))
    return (gray if written_unscaled else gray >> shift), significant, written_unscaled


def _png_chunks(path: Path, kinds: tuple[bytes, ...]) -> dict[bytes, bytes]:
    """Return the data of the first chunk of each of `kinds` that comes before the image data.

    Only chunks that must precede the image data (sBIT, pHYs) can be found; a
    damaged header is left for the decoder to report.
    """
    found: dict[bytes, bytes] = {}
    with path.open("rb") as file:
        if file.read(8) != _PNG_SIGNATURE:
            return found
        while len(found) < len(kinds):
            header = file.read(8)
            if len(header) < 8:
                break
            length, kind = struct.unpack(">I4s", header)
            if kind in (b"IDAT", b"IEND"):
                break
            if kind in kinds and kind not in found:
                found[kind] = file.read(length)
                length = 0
            file.seek(length + 4, 1)  # the chunk's data not read, and its CRC
    return found


def _png_spacing(phys: bytes | None) -> tuple[float, float] | None:
    """Return the (row, column) spacing in mm of a pHYs chunk in pixels per metre, or None.

    Each is the shortest decimal that gives back the chunk's whole number of pixels
    per metre, so a spacing written as 0.15 mm (6667 per metre) reads as 0.15.
    A chunk of unit 0 gives only the pixels' aspect ratio: no spacing.
    """
    if phys is None or len(phys) != 9:
        return None
    per_x, per_y, unit = struct.unpack(">IIB", phys)
    if unit != 1 or per_x == 0 or per_y == 0:
        return None
    return _detector_spacing(_shortest_mm(per_y), _shortest_mm(per_x))


def _shortest_mm(per_metre: int) -> float:
    """Return the mm per pixel of `per_metre` pixels per metre, in the fewest digits giving it."""
    exact = 1000 / per_metre
    for digits in range(1, 17):
        spacing = float(f"{exact:.{digits}g}")
        if round(1000 / spacing) == per_metre:
            return spacing
    return exact


def _detector_spacing(row: float, column: float) -> tuple[float, float] | None:
    """Return ``(row, column)`` in mm, or None for a default density of :data:`SCREEN_DPI`."""
    if any(
        math.isclose(25.4 / mm, dpi, rel_tol=5e-4) for mm in (row, column) for dpi in SCREEN_DPI
    ):
        return None
    return row, column


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
        Pixels are the decoded 8-bit values, turned upright as an EXIF Orientation
        says (:func:`_upright`); the metadata mark it lossy (:data:`JPEG_LOSSY`), as a
        JPEG-compressed TIFF's are.

    Raises
    ------
    ImageReadError
        For a bad frame index, an oversized image, one too large for its bytes
        (:func:`_check_expansion`) or whose scans end before it (:func:`_check_jpeg_scans`).
        Decoding failures (a 12-bit JPEG, say, which Pillow cannot decode) are converted
        by the caller.
    """
    check_frame(path, frame, 1)
    with _open_with_pillow(path, "JPEG") as image:
        cols, rows = image.size
        mode = image.mode
        samples = len(image.getbands())
        check_dimensions(path, rows, cols, samples=samples, bytes_per_sample=1)
        _check_expansion(path, "JPEG", path.stat().st_size, rows, cols, samples=samples)
        _check_jpeg_scans(path, rows, cols)
        orientation = image.getexif().get(_ORIENTATION)
        if mode == "L":
            gray = np.asarray(image)
        else:
            gray = luma(np.asarray(image.convert("RGB")))
            warn_converted(path, f"{mode} image converted to grayscale (BT.601 luma)")
    gray, _ = _upright(path, gray, None, orientation)
    image = _image(path, gray, StoredMapping(bits_stored=8), "jpeg")
    return replace(image, metadata={**image.metadata, **JPEG_LOSSY})


def _check_jpeg_scans(path: Path, rows: int, cols: int) -> None:
    """Refuse a Huffman-coded JPEG whose scans are too short for the image its header declares.

    Every 8 x 8 block of a full-resolution component takes at least one bit of its
    scans (a DC code), so the scans of a ``rows`` x ``cols`` image hold at least
    ``ceil(rows / 8) * ceil(cols / 8) / 8`` bytes. Pillow's decoder fills the blocks
    of data that ends early with grey, and says nothing: a damaged file (or one whose
    size was changed) would be read as a flat image. Arithmetic-coded JPEGs, which
    may code a block in less than a bit, are not checked.
    """
    data = path.read_bytes()
    if any(data.find(bytes((0xFF, code))) >= 0 for code in _JPEG_ARITHMETIC_SOF):
        return
    held = 0
    start = data.find(b"\xff\xda")
    while start >= 0 and start + 4 <= len(data):
        begin = start + 2 + int.from_bytes(data[start + 2 : start + 4], "big")  # after SOS
        end = begin
        while (end := data.find(b"\xff", end)) >= 0 and end + 1 < len(data):
            if data[end + 1] not in _JPEG_IN_SCAN:
                break
            end += 2
        end = len(data) if end < 0 or end + 1 >= len(data) else end
        held += max(0, end - begin)
        start = data.find(b"\xff\xda", end)
    if held * 8 < math.ceil(rows / 8) * math.ceil(cols / 8):
        raise ImageReadError(path, "the JPEG data ends before its image (the file may be damaged)")


def _upright(
    path: Path,
    values: np.ndarray,
    spacing: tuple[float, float] | None,
    orientation: object,
) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Turn `values` upright as an EXIF or TIFF Orientation (tag 274) says, with a warning.

    Every viewer shows such a file turned, so it is read so; its (row, column) `spacing`
    is swapped where rows and columns are (values 5 to 8). Outputs are written upright,
    with no Orientation tag. Orientation 1 (upright), a missing tag and values outside
    1 to 8 leave the values as they are.
    """
    try:
        number = int(orientation)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return values, spacing
    turn = _UPRIGHT.get(number)
    if turn is None:
        return values, spacing
    warn_converted(
        path,
        f"turned upright as its Orientation tag says ({number}); written upright, without the tag",
    )
    if number >= 5 and spacing is not None:
        spacing = spacing[1], spacing[0]
    return np.ascontiguousarray(turn(values)), spacing


def read_tiff(path: Path, frame: int) -> XrayImage:
    """Read page `frame` of a TIFF: 8/16/32-bit integer or floating-point samples.

    MINISWHITE pages become ``photometric="MONOCHROME1"``; RGB and palette pages
    are converted to BT.601 luma and extra samples (alpha) dropped, with a warning.
    A page is turned upright as its Orientation (tag 274) says (:func:`_upright`).
    The pixel spacing comes from XResolution and YResolution in pixels per
    centimetre or inch (:data:`SCREEN_DPI` excepted), not from ResolutionUnit none.

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
        For a bad page index, an oversized, volumetric or unsupported page, or one
        too large for its bytes (:func:`_check_expansion`).
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
        size = (page.imagelength, page.imagewidth)
        layout = {"samples": samples, "bytes_per_sample": np.dtype(page.dtype).itemsize}
        check_dimensions(path, *size, **layout)
        _check_expansion(path, "TIFF page", sum(page.databytecounts), *size, **layout)
        photometric = page.photometric
        colormap = page.colormap
        spacing = _tiff_spacing(page)
        compression = page.compression
        description = tif.pages[0].description  # where this program writes a TIFF's
        orientation = page.tags.valueof(274)
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
    gray, spacing = _upright(path, gray, spacing, orientation)
    image = _image(
        path,
        gray,
        mapping,
        "tiff",
        monochrome1=photometric == PHOTOMETRIC.MINISWHITE,
        n_frames=n_frames,
        frame=frame,
        pixel_spacing=spacing,
    )
    image = _described(image, description)
    if compression not in TIFF_LOSSY:
        return image
    lossy = {"LossyImageCompression": "01"}  # the keys of a lossy DICOM's metadata
    if TIFF_LOSSY[compression]:
        lossy["LossyImageCompressionMethod"] = TIFF_LOSSY[compression]
    return replace(image, metadata={**image.metadata, **lossy})


def _described(image: XrayImage, description: str) -> XrayImage:
    """Keep a PNG's or TIFF's description in the metadata (``"Description"``), if any.

    A file written from the image carries it on as the source's history
    (:func:`core.io.raster_write.source_history`), as read, not as the file holds it later.
    """
    if not description:
        return image
    return replace(image, metadata={**image.metadata, "Description": description})


def _tiff_spacing(page: tifffile.TiffPage) -> tuple[float, float] | None:
    """Return a TIFF page's (row, column) spacing in mm from its resolution, or None.

    TIFF's unit is the inch where ResolutionUnit is missing; unit 1 (none) gives
    only the pixels' aspect ratio.
    """
    mm_per_unit = _MM_PER_TIFF_UNIT.get(page.tags.valueof(296, default=2))
    if mm_per_unit is None:
        return None
    row = _mm_per_pixel(page.tags.valueof(283), mm_per_unit)
    column = _mm_per_pixel(page.tags.valueof(282), mm_per_unit)
    if row is None or column is None:
        return None
    return _detector_spacing(row, column)


def _mm_per_pixel(per_unit: object, mm_per_unit: float) -> float | None:
    """Return the mm per pixel of a RATIONAL ``(numerator, denominator)`` of pixels per unit.

    None for a missing, malformed or non-positive value.
    """
    if not (isinstance(per_unit, tuple) and len(per_unit) == 2):
        return None
    numerator, denominator = per_unit
    return mm_per_unit * denominator / numerator if numerator > 0 and denominator > 0 else None


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


EXPANSION_EXEMPT_WORKING_BYTES = 4 * EXPANSION_EXEMPT_BYTES
"""Size as read (32-bit float pixels) up to which a PNG, TIFF or JPEG is not checked
against :data:`~core.io.codestream.MAX_EXPANSION`: four times the decoded bytes a DICOM
frame is exempt up to, so that a blank 4300 x 4300 frame of a 43 x 43 cm detector (71 MiB
as read from a 36 KB PNG) is read, as its DICOM would be; a bomb of 16,384 x 16,384 (1 GiB
as read) is still checked."""


def _check_expansion(
    path: Path,
    what: str,
    compressed: int,
    rows: int,
    cols: int,
    *,
    samples: int = 1,
    bytes_per_sample: int = 1,
) -> None:
    """Refuse an image whose `compressed` bytes would take too much memory as read.

    As a DICOM's compressed frame (:func:`core.io.codestream.check_codestream`): an
    image that would take more than :data:`EXPANSION_EXEMPT_WORKING_BYTES` as read
    (:func:`core.io.guards.working_bytes`: 32-bit float pixels) may take at
    most :data:`~core.io.codestream.MAX_EXPANSION` times its compressed bytes. A few
    hundred kilobytes of deflate data decode to hundreds of megabytes of zeros, and
    a JPEG's header may declare any size; refused here, before decoding.
    """
    size = working_bytes(rows, cols, samples=samples, bytes_per_sample=bytes_per_sample)
    if size > max(MAX_EXPANSION * compressed, EXPANSION_EXEMPT_WORKING_BYTES):
        held = f"{compressed} bytes" if compressed < 10_000 else f"{compressed // 1000} KB"
        raise ImageReadError(
            path,
            f"the {what}'s {held} would take {size / 2**20:.0f} MiB as a {cols} x {rows} "
            f"image, over {MAX_EXPANSION} times as much (a decompression bomb, or a "
            "damaged file)",
        )


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
    pixel_spacing: tuple[float, float] | None = None,
) -> XrayImage:
    """Assemble the XrayImage of raster values, with an automatic window.

    The pixels are float32. Values outside its range are refused; integers beyond
    2**24 that it does not hold apart (:func:`core.io.guards.warn_float32_error`, as a
    DICOM's: a write of the pixels read changes them) and 64-bit floats it does not hold
    exactly are rounded with a warning.
    """
    values = np.asarray(values)
    if values.dtype.kind == "f" and values.dtype.itemsize > 4:
        finite = values[np.isfinite(values)]
        if finite.size and np.abs(finite).max() > np.finfo(np.float32).max:
            raise ImageReadError(path, "values exceed the range of 32-bit floats (3.4e38)")
    pixels = values.astype(np.float32)
    if values.dtype.kind in "iu":  # stored values, slope 1: 32-bit ones may not fit
        warn_float32_error(path, mapping, values, pixels)
    if values.dtype.kind == "f" and values.dtype.itemsize > 4:
        changed = int(np.count_nonzero((pixels != values) & np.isfinite(values)))
        if changed:
            warn_converted(
                path,
                f"64-bit floats rounded to 32-bit ones (about 7 significant digits) in "
                f"{changed} of {values.size} pixels: they are processed, and written, as such",
            )
    if mapping.is_float:
        check_finite(path, pixels)
    return XrayImage(
        pixels=pixels,
        mapping=mapping,
        window=auto_window(pixels, linear=made_window_function(mapping) == "LINEAR"),
        photometric="MONOCHROME1" if monochrome1 else "MONOCHROME2",
        source_format=source_format,
        source_path=path,
        frame=frame,
        n_frames=n_frames,
        pixel_spacing=pixel_spacing,
    )
