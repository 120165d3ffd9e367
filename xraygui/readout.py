"""The status bar's pixel readout: the value the pane under the cursor shows there."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.image import XrayImage


@dataclass(frozen=True, eq=False)
class PaneValues:
    """The values one pane shows, for the readout.

    Parameters
    ----------
    label : str
        What they are, e.g. ``"after: x0 prediction, step 2/10"``.
    values : ndarray, shape (rows, cols)
        They cover the whole image, possibly with fewer pixels (a step kept at a lower
        resolution, a generated demo image), as the pane draws them.
    minus : ndarray, optional
        The pane shows ``values - minus`` (a residual); same shape as `values`.
    pixel_units : bool
        Whether they are the image's pixel values, which the image's stored mapping
        gives in stored units too.
    """

    label: str
    values: np.ndarray
    minus: np.ndarray | None = None
    pixel_units: bool = True

    def at(self, row: int, col: int, shape: tuple[int, int]) -> float:
        """Return the value drawn over image pixel ``(row, col)`` of an image of `shape`."""
        rows, cols = self.values.shape
        index = (row * rows // shape[0], col * cols // shape[1])
        value = float(self.values[index])
        return value if self.minus is None else value - float(self.minus[index])


def cursor_text(image: XrayImage, row: float, col: float, shown: PaneValues | None) -> str:
    """Say where the cursor is and what the pane under it shows there.

    Parameters
    ----------
    image : XrayImage
        The open image: its size, pixel spacing and stored mapping.
    row, col : float
        The cursor in image pixels.
    shown : PaneValues or None
        What the pane under the cursor shows (None: nothing).

    Returns
    -------
    str
        E.g. ``"x 20  y 10 (10.0, 5.0 mm)  |  before: stored 812  physical 812"``.
    """
    row, col = math.floor(row), math.floor(col)
    text = f"x {col}  y {row}"
    rows, cols = image.shape
    if not (0 <= row < rows and 0 <= col < cols):
        return text
    if image.pixel_spacing:
        text += f" ({col * image.pixel_spacing[1]:.1f}, {row * image.pixel_spacing[0]:.1f} mm)"
    if shown is None:
        return text
    value = shown.at(row, col, image.shape)
    if shown.pixel_units and not image.mapping.is_float:
        stored = image.mapping.to_stored(np.array([value]))[0]
        return f"{text}  |  {shown.label}: stored {stored:g}  physical {value:.6g}"
    return f"{text}  |  {shown.label}: {value:.6g}"
