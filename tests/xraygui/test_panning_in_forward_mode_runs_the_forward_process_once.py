"""Forward mode at 1:1: a pan, a zoom or a window drag never runs the forward process again.

A view that leaves the part of the image drawn has the part in sight windowed again from
the After values already made; a window drag asks the preview for the same t and seed,
and gets the x_t it made.
"""

import numpy as np
import pytest

import xraygui.jobs as jobs
from core.image import Window
from xraygui.main_window import ZOOM_SETTLE_MS

pytestmark = pytest.mark.gui


@pytest.fixture
def runs(monkeypatch):
    """Count the forward process's runs (the real one runs)."""
    counted = []
    real = jobs.forward_process

    def forward_process(*args, **kwargs):
        counted.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "forward_process", forward_process)
    return counted


def _after_matches_the_whole_drawing(window):
    pane = window.views.panes["after"]
    item = pane.image_item
    rect = item.mapRectToParent(item.boundingRect())
    top, left = round(rect.top()), round(rect.left())
    rows, cols = item.image.shape
    whole = window.grey(window._after_shown.values)
    np.testing.assert_array_equal(item.image, whole[top : top + rows, left : left + cols])


def test_pans_zooms_and_drags_at_1_to_1_reuse_the_forward_values(noise_window, qtbot, runs):
    window = noise_window(11)
    window.window_override = Window(2000.0, 1500.0)
    window.timeline.set_mode("forward")
    window.views.one_to_one()
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    assert window._part is not None
    runs.clear()
    part = window._part
    for _ in range(12):  # arrow keys: the view leaves the part drawn, several times
        window.views.pan(0.1, 0.05)
    assert window._part != part  # drawn again
    _after_matches_the_whole_drawing(window)
    for _ in range(8):  # far in: a smaller part once settled
        window.views.zoom(1.25)
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    _after_matches_the_whole_drawing(window)
    window.drag_window(5.0, -3.0)
    assert runs == []
    _after_matches_the_whole_drawing(window)
    window.timeline.slider.setValue(window.timeline.slider.value() + 1)  # another t: runs once
    assert len(runs) == 1
