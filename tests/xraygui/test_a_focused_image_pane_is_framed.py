"""An image pane with the keyboard focus is framed in the palette's highlight colour.

Help says to Tab to a pane for its keys, but nothing showed which pane had the focus.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

pytestmark = pytest.mark.gui


def _edges(image) -> set:
    """Colours of the pane's outermost two pixels, half way along each side."""
    w, h = image.width(), image.height()
    points = [(0, h // 2), (1, h // 2), (w - 1, h // 2), (w - 2, h // 2)]
    points += [(w // 2, 0), (w // 2, 1), (w // 2, h - 1), (w // 2, h - 2)]
    return {image.pixelColor(x, y).name() for x, y in points}


def test_tab_to_a_pane_frames_it_and_leaving_it_takes_the_frame_away(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    pane = window.views.panes["after"]
    pane.show_grey(np.full((32, 32), 0.5, np.float32))
    highlight = pane.palette().color(QPalette.ColorRole.Highlight).name()
    window.controls.steps.setFocus()
    qtbot.waitUntil(window.controls.steps.hasFocus)
    unfocused = pane.grab().toImage()
    assert highlight not in _edges(unfocused)
    pane.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(pane.hasFocus)
    focused = pane.grab().toImage()
    assert _edges(focused) == {highlight}
    window.controls.steps.setFocus()
    qtbot.waitUntil(lambda: not pane.hasFocus())
    assert pane.grab().toImage() == unfocused
