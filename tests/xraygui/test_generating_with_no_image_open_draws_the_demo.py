"""Generate from pure noise draws its steps with no image open, and a demo never stretches.

With no image the demo is made at 128 x 128 px and drawn at that size in the After pane; a
demo made for an image of another size is forgotten when an image opens, rather than drawn
stretched over it.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def _generate(window, qtbot):
    window.timeline.demo_steps.setValue(2)
    window.timeline.set_mode("demo")
    worker = window.start_demo()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass


def test_generate_with_no_image_open_draws_the_demo_in_the_after_pane(window, qtbot, dialogs):
    _generate(window, qtbot)
    after = window.views.panes["after"]
    assert not dialogs
    assert window.image is None and window.demo.shape == (128, 128)
    assert after.extent == (128, 128)
    assert after.image_item.image.shape == (128, 128)
    assert after.title.text == "Generated from noise (128 x 128 px; no image open)"
    assert "step 2/2" in window.timeline.label.text()
    window.timeline.slider.setValue(0)  # scrubbing shows the first step, still drawn
    assert "step 1/2" in window.timeline.label.text()
    assert after.extent == (128, 128)
    window.timeline.set_mode("reverse")  # nothing to show there without an image
    assert after.extent is None and after.title.text == "After"


def test_a_demo_is_forgotten_when_an_image_of_another_size_opens(
    window, qtbot, settle, small_dicom, tmp_path
):
    window.open_file(small_dicom)
    settle(window)
    _generate(window, qtbot)
    assert window.demo.shape == (96, 96)
    wide = tmp_path / "wide.npy"
    np.save(wide, np.random.default_rng(0).integers(0, 4000, (96, 320)).astype(np.uint16))
    assert window.open_file(wide)
    settle(window)
    assert window.demo is None
    window.timeline.set_mode("demo")
    after = window.views.panes["after"]
    assert after.extent is None  # not the 96 x 96 demo stretched over 320 x 96
    assert after.title.text == "Demo: press Generate"
