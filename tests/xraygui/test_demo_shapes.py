"""Generating from pure noise works for images of any shape: tiny, narrow or long."""

import numpy as np
import pytest
import torch
from PySide6.QtCore import QSettings

from core.denoise.explain import generate_demo
from core.denoise.models import open_model
from core.denoise.tiling import size_multiple
from core.diffusion import DiffusionModel, NoiseSchedule, UNet, UNetConfig, save_model
from core.resources import default_model_path
from xraygui.session import DEMO_SIDE, demo_shape

pytestmark = pytest.mark.gui

SHAPES = [(1, 1), (33, 1), (12, 3000), (3000, 12)]


@pytest.fixture(scope="module")
def shipped_model():
    return open_model(default_model_path(), device="cpu")


@pytest.fixture(scope="module")
def coarse_model_path(tmp_path_factory):
    """A small network that pads its input to a multiple of 32 (five levels)."""
    torch.manual_seed(0)
    config = UNetConfig(
        base_channels=8, channel_mult=(1, 1, 1, 1, 1), blocks_per_level=1, mid_blocks=1
    )
    path = tmp_path_factory.mktemp("coarse") / "coarse.safetensors"
    save_model(DiffusionModel(UNet(config).eval(), NoiseSchedule()), path)
    return path


@pytest.fixture
def settings(tmp_path, coarse_model_path):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    store.setValue("loaded_models", [str(coarse_model_path)])
    store.setValue("denoise/model", str(coarse_model_path))
    return store


@pytest.mark.parametrize("shape", SHAPES)
def test_a_demo_side_is_at_least_the_size_multiple_and_at_most_demo_side(shape):
    rows, cols = demo_shape(shape, 16)
    assert 16 <= min(rows, cols) and max(rows, cols) <= DEMO_SIDE
    if shape[0] != shape[1]:  # the longer side stays the longer one
        assert (rows > cols) == (shape[0] > shape[1])


def test_a_demo_keeps_an_aspect_up_to_the_cap():
    assert demo_shape((200, 512), 16) == (100, 256)
    assert demo_shape((3000, 90), 16) == (256, 16)  # 33:1 capped at 16:1
    assert demo_shape((40, 3), 32) == (40, 32)
    assert demo_shape((5, 5), 512) == (512, 512)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_shipped_model_generates_at_the_demo_shape(shipped_model, shape):
    demo = demo_shape(shape, size_multiple(shipped_model))
    states = list(generate_demo(shipped_model, demo, n_steps=1, seed=0))
    assert states[-1].x0_pred.shape == demo
    assert np.isfinite(np.asarray(states[-1].x0_pred)).all()


@pytest.mark.parametrize("shape", SHAPES)
def test_generate_from_pure_noise_works_in_the_window(window, qtbot, dialogs, tmp_path, shape):
    path = tmp_path / f"image_{shape[0]}x{shape[1]}.npy"
    np.save(path, np.random.default_rng(0).random(shape, dtype=np.float32))
    window.open_file(path)
    window.timeline.demo_steps.setValue(1)
    window.timeline.set_mode("demo")
    worker = window.start_demo()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass
    assert not dialogs
    assert window.demo.frames[-1].x0_pred.shape == demo_shape(shape, 32)
