"""In forward mode, choosing another model shows its x_t, its label and its slider span at once.

Before, the After pane, the label and the slider's span stayed the old model's until the
slider moved: only the seed and the device were followed.
"""

import pytest

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


def test_another_model_gives_the_slider_its_span_and_the_pane_its_x_t(
    window_on,
    model_settings,
    tiny_model_path,
    model_of_200_steps,
    small_dicom,
    settle,
    dialogs,
    qtbot,
):
    window = window_on(model_settings([tiny_model_path, model_of_200_steps], tiny_model_path))
    window.show()
    assert window.open_file(small_dicom)
    settle(window)
    timeline, combo = window.timeline, window.controls.model
    timeline.set_mode("forward")
    qtbot.waitUntil(lambda: window._forward_worker is None)
    assert (timeline.slider.maximum(), timeline.slider.value()) == (1000, 250)
    combo.setCurrentIndex(combo.findData(str(model_of_200_steps)))
    qtbot.waitUntil(lambda: timeline.slider.maximum() == 200)
    qtbot.waitUntil(lambda: window._forward_worker is None)
    assert timeline.slider.value() == 50  # the same share of the process
    assert "t = 50 " in timeline.label.text()
    assert window._preview is not None and window._preview.model_path == model_of_200_steps
    assert window._after_shown is not None and window._after_shown.label == "forward, t = 50"
    assert not dialogs and not window.errors
