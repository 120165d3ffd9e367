"""Each timeline mode keeps its own place on the slider."""

import pytest

from xraygui.timeline import FORWARD_T_MAX, TimelineWidget

pytestmark = pytest.mark.gui


def test_the_timeline_gives_each_mode_its_place_back(qtbot):
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.set_frame_count(5)
    timeline.slider.setValue(1)
    timeline.set_mode("forward")
    assert timeline.slider.value() == FORWARD_T_MAX // 4  # the first visit
    timeline.slider.setValue(700)
    timeline.set_mode("reverse")
    assert (timeline.slider.maximum(), timeline.slider.value()) == (4, 1)
    timeline.set_mode("demo")
    assert (timeline.slider.maximum(), timeline.slider.value()) == (0, 0)
    timeline.set_mode("forward")
    assert (timeline.slider.maximum(), timeline.slider.value()) == (FORWARD_T_MAX, 700)


def test_switching_modes_keeps_a_scrubbed_step(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.controls.steps.setValue(5)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    slider = window.timeline.slider
    slider.setValue(1)
    title = window.views.panes["after"].title
    assert title.text == "After: step 2/5 (x0 prediction)"
    window.timeline.set_mode("forward")
    slider.setValue(700)
    window.timeline.set_mode("reverse")
    assert slider.value() == 1 and title.text == "After: step 2/5 (x0 prediction)"
    window.timeline.set_mode("forward")
    assert slider.value() == 700
    assert window.views.panes["after"].title.text == "Forward process q(x_t | x_0)"
    assert "t = 700" in window.timeline.label.text()
