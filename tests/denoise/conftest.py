import numpy as np
import pytest
import torch

from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image


class GaussianEps(torch.nn.Module):
    """The exact noise predictor E[eps | x_t] for iid Gaussian data x_0 ~ N(mu, s0^2)."""

    def __init__(self, schedule: NoiseSchedule, mu: float, s0: float) -> None:
        super().__init__()
        self.schedule, self.mu, self.s0 = schedule, mu, s0
        self.anchor = torch.nn.Parameter(torch.zeros(()))  # gives the model a device

    def forward(self, x, t):
        abar = torch.as_tensor(
            self.schedule.abar(t.double().cpu().numpy()), dtype=torch.float64, device=x.device
        )
        a, b = abar.sqrt().reshape(-1, 1, 1, 1), (1 - abar).sqrt().reshape(-1, 1, 1, 1)
        return (b * (x.double() - a * self.mu) / (a**2 * self.s0**2 + b**2)).float()


def randomised_tiny_model(seed: int = 0) -> DiffusionModel:
    """A tiny U-Net whose every parameter (zero-initialised ones too) is drawn from a seed."""
    net = UNet(UNetConfig.tiny())
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.1)
    return DiffusionModel(net.eval(), NoiseSchedule())


def as_image(pixels: np.ndarray, bits: int = 12) -> XrayImage:
    top = 2**bits - 1
    return XrayImage(
        np.asarray(pixels, dtype=np.float32),
        StoredMapping(bits),
        Window(top / 2, top),
        source_format="png",
    )


@pytest.fixture(scope="session")
def make_image():
    return as_image


@pytest.fixture
def tiny_model() -> DiffusionModel:
    return randomised_tiny_model()


@pytest.fixture
def gaussian_model():
    def make(mu: float = 0.0, s0: float = 0.3) -> DiffusionModel:
        schedule = NoiseSchedule()
        return DiffusionModel(GaussianEps(schedule, mu, s0), schedule)

    return make


@pytest.fixture(scope="session")
def noisy_phantom() -> XrayImage:
    """A 96 x 96 12-bit chest phantom with quantum and electronic noise."""
    return as_image(phantom_image((96, 96), seed=2, photons_per_pixel=3000))
