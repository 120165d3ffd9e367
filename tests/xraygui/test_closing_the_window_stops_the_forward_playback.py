"""Closing the window stops the forward process playing, and starts no forward job.

Before, the Play timer kept stepping t in the closed window, making x_t in the GUI thread
(while a training wizard kept the app running, say).
"""

import pytest

pytestmark = pytest.mark.gui


def test_a_closed_window_plays_no_more(window, small_dicom, settle, qtbot):
    assert window.open_file(small_dicom)
    settle(window)
    timeline = window.timeline
    timeline.set_mode("forward")
    qtbot.waitUntil(lambda: window._forward_worker is None)
    timeline.slider.setValue(0)
    timeline.play.setChecked(True)
    qtbot.waitUntil(lambda: timeline.slider.value() > 0)
    preview = window._preview
    assert preview is not None
    window.close()
    assert not timeline.timer.isActive()
    assert not timeline.play.isChecked()
    at = timeline.slider.value()
    qtbot.wait(3 * timeline.timer.interval())
    assert timeline.slider.value() == at
    window._start_forward(preview, 5.0, 0)  # as a redraw of the closed window would
    assert window._forward_worker is None and not window._running
