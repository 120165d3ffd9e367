"""The forward-process slider runs over the model's own timesteps, not an assumed 1000.

A model of 200 timesteps opens forward mode at t = 50 (a quarter), reaches t = 200 and no
further, and never shows the schedule's "time must lie in [0, 200]" error.
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from xraygui.timeline import FORWARD_T_MAX, TimelineWidget

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def model_of_200_steps(tmp_path_factory):
    import torch

    from core.diffusion import DiffusionModel, NoiseSchedule, UNet, UNetConfig, save_model

    torch.manual_seed(0)
    network = UNet(UNetConfig.tiny()).eval()
    path = tmp_path_factory.mktemp("t200") / "t200.safetensors"
    save_model(DiffusionModel(network, NoiseSchedule(n_timesteps=200)), path)
    return path


def test_a_model_of_200_timesteps_gets_a_slider_of_200(
    window_on, model_settings, model_of_200_steps, small_dicom, settle, dialogs, qtbot
):
    window = window_on(model_settings([model_of_200_steps], model_of_200_steps))
    window.show()
    assert window.open_file(small_dicom)
    settle(window)
    timeline = window.timeline
    timeline.set_mode("forward")
    qtbot.waitUntil(lambda: window._forward_worker is None)
    assert (timeline.slider.maximum(), timeline.slider.value()) == (200, 50)
    assert "t = 50 " in timeline.label.text()
    timeline.slider.setFocus()
    QTest.keyClick(timeline.slider, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: window._forward_worker is None)
    assert timeline.slider.value() == 200
    assert "t = 200 " in timeline.label.text()
    assert "must lie" not in timeline.label.text()
    assert window._after_shown is not None and window._after_shown.label == "forward, t = 200"
    assert not dialogs and not window.errors


def test_a_new_span_keeps_the_share_of_the_process(qtbot):
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.set_forward_span(200)
    timeline.set_mode("forward")
    assert (timeline.slider.maximum(), timeline.slider.value()) == (200, 50)
    timeline.slider.setValue(140)
    timeline.set_forward_span(FORWARD_T_MAX)
    assert (timeline.slider.maximum(), timeline.slider.value()) == (FORWARD_T_MAX, 700)
    timeline.set_mode("reverse")
    timeline.set_forward_span(10)
    timeline.set_mode("forward")
    assert (timeline.slider.maximum(), timeline.slider.value()) == (10, 7)
