"""The crosshair, the swipe divider and the region of interest show on any grey level.

They were a translucent yellow line, a cyan line and a green rectangle: on bright bone
or an inverted view they nearly vanished (1.1:1 to 1.4:1 against white). Each now has a
dark outline under it and so reaches 3:1 (WCAG 1.4.11) against white and against black.
"""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF

from xraygui.panes import ComparisonView

pytestmark = pytest.mark.gui

SIDE = 64
"""Rows and columns of the test image."""


def _luminance(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255.0
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * c[..., 0] + 0.7152 * c[..., 1] + 0.0722 * c[..., 2]


def _best_contrast(pane, image_point: tuple[float, float], grey: float) -> float:
    """The highest contrast against the background of the pixels within 3 px across a line.

    Parameters
    ----------
    pane : ImagePane
    image_point : tuple of float
        ``(x, y)`` in image pixels on a vertical line drawn over the image.
    grey : float
        The image's grey level (0 black, 1 white).
    """
    scene = pane.view.mapViewToScene(QPointF(*image_point))
    at = pane.mapFromScene(scene)
    image = pane.grab().toImage()
    pixels = [image.pixelColor(at.x() + dx, at.y()) for dx in range(-3, 4)]
    rgb = np.array([[c.red(), c.green(), c.blue()] for c in pixels], float)
    lines, background = _luminance(rgb), _luminance(np.full(3, 255.0 * grey))
    return float(
        np.max((np.maximum(lines, background) + 0.05) / (np.minimum(lines, background) + 0.05))
    )


@pytest.fixture
def views(qtbot):
    """Return a function that shows an image of one grey level in a pane, fitted."""

    def show(grey):
        shown = ComparisonView()
        qtbot.addWidget(shown)
        shown.resize(400, 300)
        shown.show()
        qtbot.waitExposed(shown)
        level = np.full((SIDE, SIDE), grey, np.float32)
        shown.panes["before"].show_grey(level)
        shown.show_after(level, (SIDE, SIDE))
        shown.fit()
        qtbot.wait(20)
        return shown

    return show


@pytest.mark.parametrize("grey", [1.0, 0.0])
def test_the_crosshair_shows(views, qtbot, grey):
    shown = views(grey)
    pane = shown.panes["before"]
    pane.set_crosshair((SIDE / 4, SIDE / 2))
    qtbot.wait(20)
    assert _best_contrast(pane, (SIDE / 2, 3 * SIDE / 4), grey) >= 3.0


@pytest.mark.parametrize("grey", [1.0, 0.0])
def test_the_swipe_divider_shows(views, qtbot, grey):
    shown = views(grey)
    shown.set_swipe(True)
    qtbot.wait(20)
    pane = shown.panes["before"]
    assert _best_contrast(pane, (shown.swipe.split, SIDE / 2), grey) >= 3.0


@pytest.mark.parametrize("grey", [1.0, 0.0])
def test_the_region_of_interest_shows(window, qtbot, small_dicom, grey):
    assert window.open_file(small_dicom)
    window.set_roi_enabled(True)
    rows, cols = window.image.shape
    pane = window.views.panes["before"]
    pane.show_grey(np.full((rows, cols), grey, np.float32))
    pane.view.setRange(QRectF(0, 0, cols, rows), padding=0)
    qtbot.wait(20)
    left = window.roi.pos().x()
    middle = window.roi.pos().y() + window.roi.size().y() / 2
    assert _best_contrast(pane, (left, middle), grey) >= 3.0
