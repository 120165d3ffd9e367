"""Checks the readers make, on declared sizes before decoding and on decoded values after.

Also the one-line text of an error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import FrameRangeError, ImageReadError
from core.image import StoredMapping
from core.io.color import warn_converted

MAX_SIDE = 65535
"""Largest accepted number of rows or columns (the DICOM limit, an unsigned short)."""

MAX_DECODED_BYTES = 1 << 30
"""Largest accepted size of one frame, decoded (all samples included) or as the 32-bit
float pixels it is read as, whichever is larger (1 GiB)."""

PIXEL_BYTES = 4
"""Bytes of one pixel as read: a 32-bit float, whatever the file's samples."""


def check_dimensions(
    path: Path, rows: int, cols: int, *, samples: int = 1, bytes_per_sample: int = 1
) -> None:
    """Refuse an image whose declared size is empty or too large, before decoding it.

    Parameters
    ----------
    path : Path
        The file, for the error message.
    rows, cols : int
        Declared size of one frame.
    samples : int
        Samples per pixel (3 for RGB).
    bytes_per_sample : int
        Bytes one decoded sample takes.

    Raises
    ------
    ImageReadError
        If a side is not in ``[1, MAX_SIDE]``, or the decoded frame or its float32
        pixels (a 1-byte gray frame is read into four times its size) would take more
        than ``MAX_DECODED_BYTES``.
    """
    if not (1 <= rows <= MAX_SIDE and 1 <= cols <= MAX_SIDE):
        raise ImageReadError(
            path, f"invalid image size {cols} x {rows} (each side must be 1 to {MAX_SIDE})"
        )
    if samples < 1 or bytes_per_sample < 1:
        raise ImageReadError(
            path, f"invalid pixel layout ({samples} samples of {bytes_per_sample} bytes)"
        )
    decoded = rows * cols * samples * bytes_per_sample
    size = working_bytes(rows, cols, samples=samples, bytes_per_sample=bytes_per_sample)
    if size > MAX_DECODED_BYTES:
        held = "decoded" if decoded >= size else "as 32-bit pixels"
        raise ImageReadError(
            path,
            f"image too large: {cols} x {rows} x {samples} samples would take "
            f"{size / 2**30:.1f} GiB {held} (limit {MAX_DECODED_BYTES / 2**30:.0f} GiB)",
        )


def working_bytes(rows: int, cols: int, *, samples: int = 1, bytes_per_sample: int = 1) -> int:
    """Return the bytes a frame takes as read: decoded, or as float32 pixels if more.

    Parameters
    ----------
    rows, cols : int
        Size of the frame.
    samples : int
        Samples per pixel (3 for RGB).
    bytes_per_sample : int
        Bytes one decoded sample takes.

    Returns
    -------
    int
        The larger of the decoded samples' bytes and the ``PIXEL_BYTES`` per pixel of
        the float32 pixels made of them.
    """
    return rows * cols * max(samples * bytes_per_sample, PIXEL_BYTES)


def check_frame(path: Path, frame: int, n_frames: int) -> None:
    """Refuse a frame index outside ``[0, n_frames)``.

    Raises
    ------
    ImageReadError
        If `frame` is not an integer in range.
    """
    if isinstance(frame, bool) or not isinstance(frame, int | np.integer):
        raise ImageReadError(path, f"frame must be an integer, got {frame!r}")
    if not 0 <= frame < n_frames:
        plural = "frame" if n_frames == 1 else "frames"
        raise FrameRangeError(
            path, f"frame {frame} out of range: the file has {n_frames} {plural}", n_frames=n_frames
        )


def fit_bits_stored(
    path: Path,
    stored: np.ndarray,
    bits_stored: int,
    *,
    signed: bool,
    bits_allocated: int,
    precision: int | None = None,
) -> int:
    """Return the bits that hold the decoded stored values: BitsStored, or more with a warning.

    Decoders of native and RLE data keep BitsStored bits, but a JPEG-family codestream
    may hold more (its own precision) than the header says; exporting such values
    clipped to BitsStored would destroy them.

    Parameters
    ----------
    path : Path
        The file, for the warning and the error message.
    stored : ndarray of int
        The decoded stored values.
    bits_stored : int
        BitsStored as the header says.
    signed : bool
        Whether stored values are two's complement (PixelRepresentation 1).
    bits_allocated : int
        BitsAllocated, the most bits a value may take.
    precision : int or None
        The codestream's precision, if the values come from one.

    Returns
    -------
    int
        `bits_stored` when every value fits; else `precision`, or without it the
        fewest bits up to `bits_allocated` that hold them, with an
        :class:`~core.errors.XrayWarning` naming BitsStored and the bits taken.

    Raises
    ------
    ImageReadError
        If the values do not fit in `precision` bits, or without it in
        `bits_allocated`.
    """
    low, high = int(stored.min()), int(stored.max())
    if _holds(bits_stored, signed, low, high):
        return bits_stored
    candidates = [precision] if precision else range(bits_stored + 1, bits_allocated + 1)
    wider = next((bits for bits in candidates if _holds(bits, signed, low, high)), None)
    if wider is None:
        limit = precision or bits_allocated
        raise ImageReadError(
            path, f"decoded values {low} .. {high} do not fit in {limit}-bit stored values"
        )
    found = f"the codestream holds {precision}-bit samples" if precision else "values"
    warn_converted(
        path,
        f"{found} but BitsStored is {bits_stored}: values {low} .. {high} read as {wider}-bit",
    )
    return wider


def _holds(bits: int, signed: bool, low: int, high: int) -> bool:
    """Whether `bits`-bit stored values of the given sign hold every value in ``[low, high]``."""
    if signed:
        return -(2 ** (bits - 1)) <= low and high < 2 ** (bits - 1)
    return 0 <= low and high < 2**bits


def warn_float32_error(
    path: Path,
    mapping: StoredMapping,
    stored: np.ndarray,
    pixels: np.ndarray,
    exclude: np.ndarray | None = None,
) -> None:
    """Warn, once a read, where the float32 pixels cannot hold the stored values apart.

    That is where they lie over a quarter of a stored step from the exact values
    (:meth:`core.image.StoredMapping.float32_error`, `exclude` left out): 32-bit values
    beyond 2**24, or a small RescaleSlope under a large RescaleIntercept. The warning
    names the largest error in stored steps and the largest change of a stored value
    that writing the unchanged pixels back gives (each rounded to the nearest stored
    value).

    Parameters
    ----------
    path : Path
        The file, for the warning.
    mapping : StoredMapping
        The image's mapping from stored values to pixels.
    stored : ndarray
        The stored values, as read.
    pixels : ndarray of float32
        ``mapping.to_pixels(stored)``, of the same shape.
    exclude : ndarray of bool, optional
        Pixels left out (padding, written back as read).
    """
    found = mapping.float32_error(stored, pixels, exclude=exclude)
    if found is None:
        return
    error, changed = found
    written = (
        f"writing them back unchanged changes stored values by up to {changed} "
        f"step{'s' if changed != 1 else ''}"
        if changed
        else "writing them back unchanged still gives every stored value"
    )
    sign = "-" if mapping.intercept < 0 else "+"
    within = f"{error:.2g}" if error < 10 else f"{error:.0f}"  # 128, not 1.3e+02
    warn_converted(
        path,
        f"32-bit floats hold these pixel values (stored x {mapping.slope:g} {sign} "
        f"{abs(mapping.intercept):g}) only to within {within} stored "
        f"step{'' if within == '1' else 's'}: {written}",
    )


def check_finite(path: Path, pixels: np.ndarray) -> None:
    """Refuse pixel values that are NaN or infinite (possible only in float sources).

    Raises
    ------
    ImageReadError
        If any value is not finite.
    """
    if not np.isfinite(pixels).all():
        raise ImageReadError(path, "the image contains NaN or infinite values")


_TRACEBACK = "Traceback (most recent call last)"
"""Where a traceback quoted in an exception's message begins."""


def one_line(error: BaseException, *, limit: int = 240) -> str:
    """Describe an exception in one short line, without traceback text.

    Parameters
    ----------
    error : BaseException
        The exception to describe.
    limit : int
        Maximum number of characters.

    Returns
    -------
    str
        ``"TypeName: message"`` with the message's lines joined, shortened to `limit`;
        a traceback quoted in the message (pydicom puts one in some) is cut off.
    """
    text = str(error).split(_TRACEBACK, 1)[0]
    message = " ".join(line.strip() for line in text.splitlines() if line.strip())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
