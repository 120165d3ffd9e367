"""Checks every reader makes before it allocates, and one-line error text."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import ImageReadError

MAX_SIDE = 65535
"""Largest accepted number of rows or columns (the DICOM limit, an unsigned short)."""

MAX_DECODED_BYTES = 1 << 30
"""Largest accepted size of one decoded frame, all samples included (1 GiB)."""


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
        If a side is not in ``[1, MAX_SIDE]`` or the decoded frame would take
        more than ``MAX_DECODED_BYTES``.
    """
    if not (1 <= rows <= MAX_SIDE and 1 <= cols <= MAX_SIDE):
        raise ImageReadError(
            path, f"invalid image size {cols} x {rows} (each side must be 1 to {MAX_SIDE})"
        )
    if samples < 1 or bytes_per_sample < 1:
        raise ImageReadError(
            path, f"invalid pixel layout ({samples} samples of {bytes_per_sample} bytes)"
        )
    size = rows * cols * samples * bytes_per_sample
    if size > MAX_DECODED_BYTES:
        raise ImageReadError(
            path,
            f"image too large: {cols} x {rows} x {samples} samples would take "
            f"{size / 2**30:.1f} GiB decoded (limit {MAX_DECODED_BYTES / 2**30:.0f} GiB)",
        )


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
        raise ImageReadError(path, f"frame {frame} out of range: the file has {n_frames} {plural}")


def check_finite(path: Path, pixels: np.ndarray) -> None:
    """Refuse pixel values that are NaN or infinite (possible only in float sources).

    Raises
    ------
    ImageReadError
        If any value is not finite.
    """
    if not np.isfinite(pixels).all():
        raise ImageReadError(path, "the image contains NaN or infinite values")


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
        ``"TypeName: message"`` with the message's lines joined, shortened to `limit`.
    """
    message = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
