"""A network with no parameters (an analytic eps predictor) runs everywhere a U-Net does."""

import numpy as np
import torch

from core.denoise import DenoiseSettings, denoise_image, generate_demo
from core.denoise.tiling import TiledEvaluator
from core.diffusion.model import DiffusionModel
from core.diffusion.sampler import ddim_sample, sample
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image


class _ZeroEps(torch.nn.Module):
    """Predicts no noise: an analytic baseline without parameters or buffers."""

    def forward(self, x, t):
        return torch.zeros_like(x)


class _BufferOnly(_ZeroEps):
    def __init__(self, device: str) -> None:
        super().__init__()
        self.register_buffer("table", torch.zeros(3, device=device))


def test_the_device_is_the_first_parameters_else_the_first_buffers_else_the_cpu(
    schedule, tiny_model
):
    assert DiffusionModel(_ZeroEps(), schedule).device == torch.device("cpu")
    assert DiffusionModel(_BufferOnly("meta"), schedule).device == torch.device("meta")
    assert tiny_model.to("meta").device == torch.device("meta")


def test_sampling_and_the_demo_run_without_parameters(schedule):
    model = DiffusionModel(_ZeroEps(), schedule)
    x = np.full((16, 16), 0.25, dtype=np.float32)
    state = sample(ddim_sample(model, x, t_start=10.0, n_steps=2))
    # eps = 0: x_0 = x_t / sqrt(abar_t*), and the last state is that x_0.
    np.testing.assert_allclose(state.x_t, 0.25 / schedule.abar(10.0) ** 0.5, rtol=1e-6)
    demo = list(generate_demo(model, (16, 16), n_steps=2, seed=0))
    assert [s.step for s in demo] == [1, 2]
    assert TiledEvaluator(model, tile=64, overlap=8).device == torch.device("cpu")


def test_a_blind_denoise_runs_without_parameters(schedule):
    pixels = phantom_image((64, 64), photons_per_pixel=5000).astype(np.float32)
    image = XrayImage(pixels, StoredMapping(bits_stored=12), Window(2048, 4096))
    model = DiffusionModel(_ZeroEps(), schedule)
    result = denoise_image(image, model, DenoiseSettings(device="cpu", views=1))
    assert result.image.pixels.shape == (64, 64)
