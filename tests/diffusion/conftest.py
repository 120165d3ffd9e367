import pytest
import torch

from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig


def _randomised_unet(config: UNetConfig, seed: int = 0, scale: float = 0.1) -> UNet:
    """A network whose every parameter (zero-initialised ones too) is drawn from a seed."""
    net = UNet(config)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * scale)
    return net.eval()


class _GaussianEps(torch.nn.Module):
    """The exact noise predictor E[eps | x_t] for iid Gaussian data x_0 ~ N(mu, s0^2)."""

    def __init__(self, schedule: NoiseSchedule, mu: float, s0: float) -> None:
        super().__init__()
        self.schedule, self.mu, self.s0 = schedule, mu, s0
        self.anchor = torch.nn.Parameter(torch.zeros(()))  # gives the model a device

    def coefficients(self, t):
        abar = torch.as_tensor(self.schedule.abar(t.double().numpy()), dtype=torch.float64)
        a, b = abar.sqrt().reshape(-1, 1, 1, 1), (1 - abar).sqrt().reshape(-1, 1, 1, 1)
        return a, b

    def forward(self, x, t):
        a, b = self.coefficients(t)
        eps = b * (x.double() - a * self.mu) / (a**2 * self.s0**2 + b**2)
        return eps.float()


@pytest.fixture(scope="session")
def randomised_unet():
    return _randomised_unet


@pytest.fixture(scope="session")
def gaussian_eps():
    return _GaussianEps


@pytest.fixture(scope="session")
def schedule() -> NoiseSchedule:
    return NoiseSchedule()


@pytest.fixture
def tiny_model(schedule) -> DiffusionModel:
    return DiffusionModel(_randomised_unet(UNetConfig.tiny()), schedule)
