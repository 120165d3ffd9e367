"""View > Fit to Window (F, the toolbar's Fit) fits the image again after a zoom.

Its QAction's ``triggered(bool)`` once passed ``checked`` as the shape to fit, and the
slot failed with a TypeError: the view stayed zoomed in.
"""

import pytest
from PySide6.QtGui import QAction

pytestmark = pytest.mark.gui


def _action(window, text):
    return next(a for a in window.findChildren(QAction) if a.text().replace("&", "") == text)


def _range(window):
    (x0, x1), (y0, y1) = window.views.panes["before"].view.viewRange()
    return [x0, x1, y0, y1]


def test_the_fit_action_fits_the_zoomed_image_again(window, qtbot, small_dicom):
    window.resize(1200, 800)
    assert window.open_file(small_dicom)
    qtbot.wait(20)
    fitted = _range(window)
    window.views.zoom(1.25)
    window.views.zoom(1.25)
    window.views.pan(0.1, 0.1)
    assert _range(window) != pytest.approx(fitted)
    _action(window, "Fit to Window").trigger()
    assert _range(window) == pytest.approx(fitted)


def test_no_menu_action_passes_checked_to_its_slot(window, qtbot, small_dicom):
    """1:1 and Fit, through their actions, as the toolbar and keys trigger them."""
    assert window.open_file(small_dicom)
    qtbot.wait(20)
    fitted = _range(window)
    _action(window, "1:1 (one image pixel per screen pixel)").trigger()
    assert window.views.panes["before"].scale() == pytest.approx(1.0)
    _action(window, "Fit to Window").trigger()
    assert _range(window) == pytest.approx(fitted)
