"""Small helpers shared by the wizard's pages."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPixmap


def grey_pixmap(grey: np.ndarray) -> QPixmap:
    """Return a pixmap of a 2-D uint8 image (0 black)."""
    grey = np.ascontiguousarray(grey, dtype=np.uint8)
    rows, cols = grey.shape
    image = QImage(grey.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy())
