"""Scrubbing the forward process never noises the image in the GUI thread during a drag.

While the slider is dragged, or for an image larger than ``FORWARD_AT_ONCE_PIXELS``, a
worker makes x_t; the panes keep the last x_t made and the label says which t is being
made, until the worker ends and the t the slider is at then is shown.
"""

import pytest

import xraygui.main_window

pytestmark = pytest.mark.gui


def _drag_to(window, qtbot, value):
    slider = window.timeline.slider
    first = window._after_shown
    slider.setSliderDown(True)
    slider.setValue(value)
    assert window._after_shown.values is first.values  # no x_t made here and now
    assert window._after_shown.label == first.label
    assert window.timeline.label.text().endswith(f"making t = {value}...")
    qtbot.waitUntil(lambda: window._after_shown.label == f"forward, t = {value}", timeout=10000)
    assert window.timeline.label.text().startswith("forward q(x_t | x_0), x_0 = the image:")
    assert window._after_shown.values is window._preview.kept(float(value), 0)[0]
    slider.setSliderDown(False)


def test_a_drag_makes_x_t_in_a_worker(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.controls.seed.setValue(0)
    window.timeline.set_mode("forward")
    assert window._after_shown.label.startswith("forward, t = ")  # made at once: small, no drag
    _drag_to(window, qtbot, 700)
    window.timeline.slider.setValue(300)  # a key, no drag: a small image is noised at once
    assert window._after_shown.label == "forward, t = 300"


def test_a_large_image_is_noised_in_a_worker_also_for_a_key(
    window, qtbot, small_dicom, monkeypatch
):
    monkeypatch.setattr(xraygui.main_window, "FORWARD_AT_ONCE_PIXELS", 96 * 96 - 1)
    window.open_file(small_dicom)
    window.controls.seed.setValue(0)
    window.timeline.set_mode("forward")
    qtbot.waitUntil(lambda: window._after_shown is not None, timeout=10000)
    slider = window.timeline.slider
    shown = window._after_shown
    slider.setValue(123)
    assert window._after_shown.values is shown.values
    assert window.views.panes["after"].title.text.endswith("making the next t...")
    qtbot.waitUntil(lambda: window._after_shown.label == "forward, t = 123", timeout=10000)
    assert window.views.panes["after"].title.text == "Forward process q(x_t | x_0)"
