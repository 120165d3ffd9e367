"""Another frame of the file shown keeps the user's window; the frame picker asks during a job.

Before, stepping to another frame reset a window dragged or chosen (Invert was kept), and
the frame picker, while a job ran, only said Busy where every other way of opening asks
whether to cancel the job.
"""

import numpy as np
import pytest
import tifffile

pytestmark = pytest.mark.gui


@pytest.fixture
def pages(tmp_path):
    """A 3-page TIFF whose pages differ in level."""
    stack = np.stack([np.full((48, 64), 1000 * (k + 1), np.uint16) for k in range(3)])
    stack += np.random.default_rng(0).integers(0, 500, stack.shape, dtype=np.uint16)
    path = tmp_path / "pages.tif"
    tifffile.imwrite(path, stack, photometric="minisblack")
    return path


def test_a_dragged_window_is_kept_across_frames_not_files(window, pages, ramp):
    assert window.open_file(pages)
    window.drag_window(40, -20)
    dragged = window.window_override
    window.frame_box.setValue(2)
    assert window.source.frame == 1
    assert window.window_override == dragged
    assert window.window_label.text().startswith(f"W {dragged.width:.1f} C ")  # integer data
    assert window.open_file(ramp)
    assert window.window_override is None


def test_the_frame_picker_during_a_job_asks_and_goes_back_if_declined(
    window, qtbot, pages, monkeypatch
):
    assert window.open_file(pages)
    asked = []
    monkeypatch.setattr(window, "may_cancel_for", lambda name: asked.append(name) or False)
    window.controls.steps.setValue(1000)
    worker = window.start_denoise()
    window.frame_box.setValue(2)
    assert asked == ["pages.tif"]
    assert window.frame_box.value() == 1 and window.source.frame == 0
    assert window.worker is worker and not window._cancelling
    window.cancel()
    with qtbot.waitSignal(worker.finished, timeout=30000):
        pass


def test_the_frame_picker_during_a_job_opens_the_frame_once_it_has_stopped(
    window, qtbot, pages, monkeypatch
):
    assert window.open_file(pages)
    monkeypatch.setattr(window, "may_cancel_for", lambda name: True)
    window.controls.steps.setValue(1000)
    window.start_denoise()
    window.frame_box.setValue(3)
    assert window._cancelling and window.frame_box.value() == 3  # the frame asked for
    qtbot.waitUntil(lambda: window.source.frame == 2, timeout=30000)
    assert window.frame_box.value() == 3 and window.worker is None
