"""The notice every image file the project writes carries."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.code_version import software

DISCLAIMER = "Not for diagnostic use"
"""What every window, report and written image of the project says."""
NOTICE = re.compile(rf"{re.escape(DISCLAIMER)}\. Produced by xray-denoise \S+")
"""The notice (:func:`not_for_diagnosis`) as this program writes it, of any version."""
NOTICE_PREFIX = f"{DISCLAIMER}: "
"""Starts every DICOM SeriesDescription and DerivationDescription written, where viewers
show it (:mod:`core.io.dicom_write`)."""

NOTICE_PIXELS_PER_SCALE = 512
"""The notice's bitmap is drawn one pixel per font pixel up to this many image pixels on
the shorter side, two from twice as many, and so on: about as large on any detector."""


def not_for_diagnosis() -> str:
    """Return the notice naming this version: DICOM ImageComments, a description's end.

    A DICOM's ImageComments end with it; so does a PNG's or TIFF's description.

    Returns
    -------
    str
        ``"Not for diagnostic use. Produced by xray-denoise <version>"``
        (:func:`core.code_version.software`); git may be asked for the version, once.
    """
    return f"{DISCLAIMER}. Produced by {software()}"


def without_notice(text: str) -> str:
    """Return `text` without the notices of any version in it (:data:`NOTICE`), trimmed.

    An output derived from one written by another version of the program carries that
    version's notice: it is replaced, not repeated.
    """
    return " ".join(part.strip() for part in NOTICE.split(text) if part.strip())


def with_notice(description: str) -> str:
    """Return `description` followed by the notice (:func:`not_for_diagnosis`), once.

    Any earlier notice in `description`, of this version or another, is left out first
    (:func:`without_notice`).
    """
    notice = not_for_diagnosis()
    kept = without_notice(description).rstrip(". ")
    return f"{kept}. {notice}" if kept else notice


def notice_bitmap(rows: int, columns: int) -> np.ndarray | None:
    """Return :data:`DISCLAIMER` as a bitmap for an image of `rows` x `columns` pixels.

    The text is drawn with Pillow's default font, with a margin of its height's fifth
    around it, and enlarged by a whole factor (:data:`NOTICE_PIXELS_PER_SCALE`).

    Parameters
    ----------
    rows, columns : int
        The image's size.

    Returns
    -------
    ndarray of uint8, shape (height, width), or None
        1 where the text is, else 0; None where it does not fit the image.
    """
    font = ImageFont.load_default()
    left, top, right, bottom = (int(v) for v in font.getbbox(DISCLAIMER))
    margin = max(1, (bottom - top) // 5)
    canvas = Image.new("1", (right - left + 2 * margin, bottom - top + 2 * margin), 0)
    ImageDraw.Draw(canvas).text((margin - left, margin - top), DISCLAIMER, fill=1, font=font)
    scale = max(1, min(rows, columns) // NOTICE_PIXELS_PER_SCALE)
    bitmap = np.asarray(canvas, dtype=np.uint8)
    bitmap = bitmap.repeat(scale, axis=0).repeat(scale, axis=1)
    if bitmap.shape[0] > rows or bitmap.shape[1] > columns:
        return None
    return bitmap
