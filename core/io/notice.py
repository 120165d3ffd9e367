"""The notice every image file the project writes carries."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core import __version__

DISCLAIMER = "Not for diagnostic use"
"""What every window, report and written image of the project says."""
NOT_FOR_DIAGNOSIS = f"{DISCLAIMER}. Produced by xray-denoise {__version__}"
"""DICOM ImageComments, and the end of a PNG's or TIFF's description."""

NOTICE_PIXELS_PER_SCALE = 512
"""The notice's bitmap is drawn one pixel per font pixel up to this many image pixels on
the shorter side, two from twice as many, and so on: about as large on any detector."""


def with_notice(description: str) -> str:
    """Return `description` followed by :data:`NOT_FOR_DIAGNOSIS` (once)."""
    if NOT_FOR_DIAGNOSIS in description:
        return description
    return f"{description.rstrip('. ')}. {NOT_FOR_DIAGNOSIS}" if description else NOT_FOR_DIAGNOSIS


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
