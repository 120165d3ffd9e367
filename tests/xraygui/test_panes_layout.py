"""The comparison panes: equal widths, the swipe divider, zoom and pan from the keyboard."""

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _visible_widths(window, qtbot):
    """Return the widths of the visible panes, each checked to hold its whole image view."""
    qtbot.wait(20)  # the layout runs from the event loop, as it does for the user
    panes = {name: pane for name, pane in window.views.panes.items() if pane.isVisible()}
    for name, pane in panes.items():  # a long title must not push the view past the pane
        assert pane.view.width() <= pane.width(), (name, pane.view.width(), pane.width())
    return {name: pane.width() for name, pane in panes.items()}


def test_visible_panes_keep_equal_widths_through_toggles(window, qtbot, small_dicom):
    window.resize(1200, 700)
    window.open_file(small_dicom)
    steps = [
        (window.uncertainty_action, True),
        (window.residual_action, True),
        (window.swipe_action, True),
        (window.swipe_action, False),
        (window.uncertainty_action, False),
        (window.residual_action, False),
        (window.swipe_action, True),
        (window.swipe_action, False),
    ]
    for action, on in steps:
        action.setChecked(on)
        widths = _visible_widths(window, qtbot)
        assert max(widths.values()) - min(widths.values()) <= 2, (action.text(), on, widths)
    window.residual_action.setChecked(True)
    window.resize(900, 650)
    widths = _visible_widths(window, qtbot)
    assert len(widths) == 3 and max(widths.values()) - min(widths.values()) <= 2, widths


def test_the_swipe_divider_moves_to_the_middle_of_an_image_of_another_size(
    window, measurable_dicom, small_dicom
):
    window.open_file(measurable_dicom)  # 384 px
    window.swipe_action.setChecked(True)
    swipe = window.views.swipe
    assert swipe.split == 192
    swipe.divider.setPos(250)
    window.refresh()  # the same image: the divider stays where the user put it
    assert swipe.split == 250
    window.open_file(small_dicom)  # 96 px
    assert swipe.split == 48
    swipe.divider.setPos(500)  # kept inside the image
    assert swipe.split == 96
    swipe.divider.setPos(-20)
    assert swipe.split == 0


def _ranges(window):
    return {name: pane.view.viewRange() for name, pane in window.views.panes.items()}


def _span(view_range):
    (x0, x1), (y0, y1) = view_range
    return x1 - x0, y1 - y0


def test_keys_zoom_and_pan_every_pane_together(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.residual_action.setChecked(True)
    window.activateWindow()
    pane = window.views.panes["after"]
    pane.setFocus()
    start = _ranges(window)["before"]
    qtbot.keyClick(pane, Qt.Key.Key_Equal)
    zoomed = _ranges(window)
    assert _span(zoomed["before"])[0] == pytest.approx(_span(start)[0] / 1.25)
    centre = sum(start[0]) / 2
    assert sum(zoomed["before"][0]) / 2 == pytest.approx(centre)  # about the centre
    qtbot.keyClick(pane, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert _span(_ranges(window)["before"])[0] == pytest.approx(_span(start)[0] / 1.25**2)
    qtbot.keyClick(pane, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert _span(_ranges(window)["before"])[0] == pytest.approx(_span(start)[0] / 1.25)
    before = _ranges(window)["before"]
    width, height = _span(before)
    qtbot.keyClick(pane, Qt.Key.Key_Right)
    qtbot.keyClick(pane, Qt.Key.Key_Up)
    moved = _ranges(window)
    assert moved["before"][0][0] == pytest.approx(before[0][0] + 0.1 * width)
    assert moved["before"][1][0] == pytest.approx(before[1][0] - 0.1 * height)  # row 0 on top
    for name in ("after", "residual"):  # linked: every pane shows the same region
        for axis, span in enumerate(_span(moved["before"])):
            # to a screen pixel or two (the panes' widths may differ by one)
            assert moved[name][axis] == pytest.approx(moved["before"][axis], abs=0.02 * span)
