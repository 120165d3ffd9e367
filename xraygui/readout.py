"""The status bar's pixel readout: the value the pane under the cursor shows there.

The readout is a permanent status bar widget, first of them, so that status messages
show beside it rather than hide it; the labels beside it are :class:`ElidingLabel` and
give up their width to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QToolTip

from core.image import XrayImage

_ELIDED_MIN_TEXT = "Wi..."
"""An eliding label is never narrower than this text."""


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


class ElidingLabel(QLabel):
    """A one-line label that may be narrower than its text: it ends it with an ellipsis.

    Its whole text shows in its tooltip while it is cut. ``text()`` is the whole text.
    """

    def minimumSizeHint(self) -> QSize:  # noqa: D102, N802 (Qt override)
        hint = super().minimumSizeHint()
        least = self.fontMetrics().horizontalAdvance(_ELIDED_MIN_TEXT)
        return QSize(min(hint.width(), least), hint.height())

    def paintEvent(self, event) -> None:  # noqa: D102, N802 (Qt override)
        painter = QPainter(self)
        rect = self.contentsRect()
        painter.drawText(rect, int(self.alignment()), self._shown_text(rect.width()))

    def event(self, event: QEvent) -> bool:  # noqa: D102 (Qt override)
        if event.type() == QEvent.Type.ToolTip and not self.toolTip():
            if self._shown_text(self.contentsRect().width()) != self.text():
                QToolTip.showText(event.globalPos(), self.text(), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def _shown_text(self, width: int) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, width)
