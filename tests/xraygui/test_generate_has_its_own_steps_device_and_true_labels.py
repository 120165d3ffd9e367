"""Generate runs its own steps on the chosen device, and every timeline label says what is shown.

Generation from pure noise once took Denoise's steps (1 by default: a pattern of -1 and +1),
ran on the CPU whatever the Device, and its first x0 prediction was the network's error
amplified 20,000-fold; the forward and demo labels gave the noise of x_t / sqrt(abar) for a
picture of x_t, and times of one decimal read t = 0.0 for a noisy state.
"""

import math

import numpy as np
import pytest
import torch

from core.denoise.explain import generate_demo
from core.diffusion import DiffusionModel, NoiseSchedule
from xraygui import jobs
from xraygui.controls import DenoiseOptions
from xraygui.timeline import DEMO_STEPS, Frame

pytestmark = pytest.mark.gui


class _WrongEps(torch.nn.Module):
    """Predicts eps as x_t plus a small error: what a network does near t = T."""

    def forward(self, x, t):
        return x + 1e-3 * torch.sign(torch.sin(7 * x))


def test_generate_takes_its_own_steps_not_denoises(window, qtbot, no_cached_model):
    assert window.controls.steps.value() == 1 and DEMO_STEPS > 1
    window.timeline.set_mode("demo")
    assert window.timeline.demo_steps.isVisibleTo(window)
    window.timeline.demo_steps.setValue(3)
    worker = window.start_demo()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    assert len(window.demo) == 3
    assert window.controls.progress.format().endswith("in 3 step(s)")


def test_the_first_x0_prediction_from_pure_noise_is_flat_not_amplified_noise():
    model = DiffusionModel(_WrongEps(), NoiseSchedule())
    first = next(generate_demo(model, (32, 32), n_steps=4, seed=0))
    assert first.t_from == 1000
    # One level (x_T tells nothing of x_0) but for float32 rounding, amplified 20,000-fold.
    assert np.ptp(first.x0_pred) < 0.05
    assert np.mean(np.abs(first.x0_pred) >= 0.999) == 0


def test_generate_refuses_a_device_this_machine_lacks(tiny_model_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    options = DenoiseOptions(model=tiny_model_path, device="cuda")
    with pytest.raises(ValueError, match="'cuda' is not available"):
        next(jobs.demo_job(options, (32, 32), 2))


class _PrecisionProbe(torch.nn.Module):
    """Records the type its convolution computes in; predicts no noise."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 1, 1)
        self.seen = []

    def forward(self, x, t):
        self.seen.append(self.conv(x).dtype)
        return torch.zeros_like(x)


def test_generate_runs_in_the_precision_of_a_denoise(tiny_model_path, monkeypatch):
    probe = _PrecisionProbe()
    monkeypatch.setattr(jobs, "cached_model", lambda path: DiffusionModel(probe, NoiseSchedule()))
    options = DenoiseOptions(model=tiny_model_path, device="cpu", precision="float32")
    events = list(jobs.demo_job(options, (32, 32), 2))
    assert events[-1].text == "generating: step 2/2, float32 on CPU"
    assert probe.seen == [torch.float32] * 2
    asked = []
    half = lambda device, precision: asked.append((device, precision)) or torch.bfloat16  # noqa: E731
    monkeypatch.setattr(jobs, "inference_dtype", half)  # a CPU with AMX, say
    events = list(jobs.demo_job(DenoiseOptions(model=tiny_model_path, device="cpu"), (32, 32), 2))
    assert asked == [(torch.device("cpu"), "auto")]
    assert events[-1].text == "generating: step 2/2, bfloat16 on CPU"
    assert probe.seen[2:] == [torch.bfloat16] * 2


def _frame(t, sigma, *, scaled, t_from=None, sigma_from=None):
    image = np.zeros((2, 2), np.float32)
    t_from = t if t_from is None else t_from
    sigma_from = sigma if sigma_from is None else sigma_from
    return Frame(1, 4, t, sigma, image, image, t_from, sigma_from, scaled)


def test_a_generated_states_label_gives_the_signal_and_noise_of_x_t_itself():
    sigma = math.sqrt((1 - 0.155**2) / 0.155**2)
    label = _frame(900.0, sigma, scaled=False).describe(x0=False)
    assert label == "step 1/4   x_t at t = 900:   x_t = 0.155 x_0 + 0.988 eps (model units)"
    x0 = _frame(800.0, 0.0, scaled=False, t_from=900.0, sigma_from=sigma).describe(x0=True)
    assert "x0 predicted at t = 900 from x_t = 0.155 x_0 + 0.988 eps" in x0


def test_a_denoise_steps_label_gives_the_noise_of_the_scaled_state():
    label = _frame(12.3456, 0.0312, scaled=True).describe(x0=False)
    assert label.endswith("x_t at t = 12.35:   x_t / sqrt(abar) = x_0 + 0.0312 eps (model units)")


def test_times_of_a_low_noise_image_keep_their_significant_digits():
    image = np.zeros((2, 2), np.float32)
    frames = [Frame(1, 4, t, 0.002, image, image, t, 0.002) for t in (0.1215, 0.08102, 0.04)]
    labels = [frame.describe(x0=False) for frame in frames]
    assert "t = 0.1215:" in labels[0] and "t = 0.08102:" in labels[1] and "t = 0.04:" in labels[2]
    assert len(set(labels)) == 3


def test_the_forward_label_gives_the_signal_and_noise_of_x_t(tiny_model_path):
    from core.image import StoredMapping, Window, XrayImage

    image = XrayImage(
        np.full((16, 16), 2048, np.float32), StoredMapping(bits_stored=12), Window(2048, 4096)
    )
    preview = jobs.ForwardPreview(image, tiny_model_path)
    assert preview.label(500, 1.0).endswith("t = 500   x_t = 0.707 x_0 + 0.707 eps (model units)")
