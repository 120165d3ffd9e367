"""The timeline: each mode keeps its own steps, labels say which time an image is from."""

import functools
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.metrics import Region
from xraygui.about import about_text
from xraygui.session import demo_shape
from xraygui.timeline import Trajectory

pytestmark = pytest.mark.gui


def _wait(qtbot, worker):
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass


def _denoise(qtbot, window, steps):
    window.controls.steps.setValue(steps)
    worker = window.start_denoise()
    _wait(qtbot, worker)
    return window.result


def _demo(qtbot, window, steps):
    window.timeline.demo_steps.setValue(steps)
    window.timeline.set_mode("demo")
    _wait(qtbot, window.start_demo())


def test_each_mode_gets_its_own_slider_range_back(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    _demo(qtbot, window, 4)
    window.timeline.set_mode("reverse")
    _denoise(qtbot, window, 2)
    slider = window.timeline.slider
    assert (slider.maximum(), slider.value()) == (1, 1)
    window.timeline.set_mode("forward")
    assert slider.maximum() == 1000
    window.timeline.set_mode("demo")
    assert (slider.maximum(), slider.value()) == (3, 3)
    window.timeline.set_mode("reverse")
    assert (slider.maximum(), slider.value()) == (1, 1)


def test_steps_of_a_run_leave_another_modes_slider_alone(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.controls.steps.setValue(4)
    worker = window.start_denoise()
    window.timeline.set_mode("forward")
    window.timeline.slider.setValue(600)
    _wait(qtbot, worker)
    assert window.timeline.slider.maximum() == 1000
    assert window.timeline.slider.value() == 600
    window.timeline.set_mode("reverse")
    assert window.timeline.slider.maximum() == 3


def test_the_slider_follows_new_steps_unless_scrubbed_back(qtbot):
    from xraygui.timeline import TimelineWidget

    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.set_frame_count(3)
    assert timeline.slider.value() == 2
    timeline.slider.setValue(0)
    timeline.set_frame_count(4)
    assert (timeline.slider.maximum(), timeline.slider.value()) == (3, 0)
    timeline.slider.setValue(3)
    timeline.set_frame_count(5)
    assert timeline.slider.value() == 4


def test_labels_give_the_time_of_the_image_shown(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    result = _denoise(qtbot, window, 1)
    label = window.timeline.label.text()
    assert f"step 1/1   x0 predicted at t = {result.t_start:.4g} from x_t / sqrt(abar)" in label
    window.timeline.show_x0.setCurrentIndex(1)  # x_t
    assert (
        "step 1/1   x_t at t = 0:   x_t / sqrt(abar) = x_0 + 0 eps" in window.timeline.label.text()
    )
    result = _denoise(qtbot, window, 3)
    window.timeline.slider.setValue(1)
    frames = window.trajectory.frames
    assert f"x_t at t = {frames[1].t:.4g}:" in window.timeline.label.text()
    assert window.views.panes["after"].title.text == "After: step 2/3 (x_t)"
    window.timeline.show_x0.setCurrentIndex(0)
    assert f"x0 predicted at t = {frames[0].t:.4g} from" in window.timeline.label.text()


def test_downsampled_steps_say_so(window, qtbot, monkeypatch, small_dicom):
    import xraygui.main_window

    small = functools.partial(Trajectory, budget=96 * 96 * 8)  # one full-size frame
    monkeypatch.setattr(xraygui.main_window, "Trajectory", small)
    window.open_file(small_dicom)
    _denoise(qtbot, window, 3)
    window.timeline.slider.setValue(0)
    stride = window.trajectory.stride
    assert stride == 2
    title = window.views.panes["after"].title.text
    assert title == "After: step 1/3 (x0 prediction; steps kept at 1/2 size)"


def test_one_uncertainty_sample_is_stepped_over(window):
    samples = window.controls.samples
    samples.setValue(1)
    assert samples.value() == 2
    samples.setValue(1)
    assert samples.value() == 0


def test_a_region_past_the_top_left_edge_is_clipped_not_moved(window, small_dicom):
    window.open_file(small_dicom)
    window.set_roi_enabled(True)
    window.roi.setPos((-40, -30))
    window.roi.setSize((80, 70))
    assert window.region() == Region(0, 0, 40, 40)
    window.roi.setPos((-500, -500))
    assert window.region() is None


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((200, 512), (100, 256)), ((96, 96), (96, 96)), ((3000, 20), (256, 16))],
)
def test_a_demo_keeps_the_images_aspect(shape, expected):
    assert demo_shape(shape, 16) == expected


def test_the_forward_process_follows_the_seed_and_the_demo_the_inversion(
    window, qtbot, small_dicom
):
    window.open_file(small_dicom)
    window.timeline.set_mode("forward")
    window.timeline.slider.setValue(500)
    after = window.views.panes["after"].image_item
    first = after.image.copy()
    window.controls.seed.setValue(window.controls.seed.value() + 1)
    assert not np.array_equal(first, after.image)
    _demo(qtbot, window, 2)
    shown = after.image.copy()
    window.set_invert(True)
    np.testing.assert_allclose(after.image, 1 - shown)


def test_space_presses_a_focused_button_instead_of_playing(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    button = window.controls.denoise_button
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert window.worker is not None and not window.timeline.play.isChecked()
    qtbot.waitUntil(lambda: window.worker is None, timeout=30000)
    window.views.setFocus()
    qtbot.keyClick(window.views, Qt.Key.Key_Space)
    assert window.timeline.play.isChecked()


def test_about_names_the_model_and_its_datas_attribution(tiny_model_path):
    from core.denoise import default_model_path

    text = about_text(default_model_path())
    card = json.loads(default_model_path().with_suffix(".json").read_text())
    assert card["weights_sha256"][:12] in text
    assert "Hannover Medical School" in text and "Attribution 3.0" in text
    assert "(https://creativecommons.org/licenses/by/3.0/)" in text
    assert "229 images of 64 patients (14 images of 7 other patients held out" in text
    assert "split training and validation" not in text  # notes for training, not credit
    assert "Third-party licences: the README's Licences section" in text
    assert text.endswith("Not for diagnostic use.")
    assert "Model: none chosen." in about_text(None)
    assert "model card cannot be read" in about_text(tiny_model_path.with_name("missing.st"))


def test_the_residual_pane_says_it_is_of_the_final_result(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.residual_action.setChecked(True)
    result = _denoise(qtbot, window, 3)
    window.timeline.slider.setValue(0)
    pane = window.views.panes["residual"]
    assert pane.title.text.startswith("Residual, grey ±")
    assert pane.title.text.endswith("pixel values (Before - final result)")
    expected = window.image.pixels - result.image.pixels
    spread = float(np.percentile(np.abs(expected), 99.5))
    assert pane.image_item.image.shape == expected.shape and spread > 0


def test_dragging_the_window_does_not_recompute_the_residual(
    window, qtbot, monkeypatch, small_dicom
):
    import xraygui.main_window
    from xraygui.session import residual_grey

    calls = []
    monkeypatch.setattr(
        xraygui.main_window, "residual_grey", lambda *a: calls.append(1) or residual_grey(*a)
    )
    window.open_file(small_dicom)
    window.residual_action.setChecked(True)
    _denoise(qtbot, window, 1)
    before = len(calls)
    for _ in range(3):
        window.drag_window(5, 3)
    assert len(calls) == before == 1
    _denoise(qtbot, window, 1)
    assert len(calls) == 2  # a new result, a new residual


def test_about_in_the_bundle_points_at_the_notices_beside_the_program(monkeypatch, tmp_path):
    import sys

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "xraygui"))
    notices = tmp_path / "THIRD-PARTY-NOTICES.txt"
    assert f"Third-party licences: {notices}" in about_text(None)
