"""Small helpers shared by the wizard's pages."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QVBoxLayout, QWidget, QWizardPage

from xraygui.compact import VerticalScroll


def grey_pixmap(grey: np.ndarray) -> QPixmap:
    """Return a pixmap of a 2-D uint8 image (0 black)."""
    grey = np.ascontiguousarray(grey, dtype=np.uint8)
    rows, cols = grey.shape
    image = QImage(grey.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy())


def scrolling_body(page: QWizardPage) -> QWidget:
    """Return the widget a page lays its fields out on, in a scroll area filling the page.

    On a small or scaled screen (853 x 480 logical pixels at 1280 x 720 and 150 %) or
    with a large font, the page scrolls up and down rather than squeezing its fields
    and cutting its text; it is never cut at the side (:class:`VerticalScroll`).

    Parameters
    ----------
    page : QWizardPage
        A page with no layout yet.

    Returns
    -------
    QWidget
        The page's body: give it the page's layout.
    """
    body = QWidget()
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(VerticalScroll(body))
    return body
