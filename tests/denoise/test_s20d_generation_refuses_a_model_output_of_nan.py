"""Generation from pure noise (and every sampler) refuses a network output of NaN or infinity
with the denoise's one-line error naming the model, instead of returning NaN images."""

import numpy as np
import pytest
import torch

from core.denoise.explain import generate_demo
from core.denoise.pipeline import denoise_image
from core.denoise.settings import DenoiseSettings
from core.diffusion import DiffusionModel, NoiseSchedule, load_model, save_model
from core.diffusion.sampler import ddim_sample, ddpm_sample, sample, seeded_generator
from core.errors import ModelFileError, XrayError


class NanNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.anchor = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x, t):
        return torch.full_like(x, float("nan"))


NAMED = r"^model nannet, cosine-v1: the model's output holds NaN or infinite values \(at t = "


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
def test_generation_from_noise_names_the_model(sampler):
    model = DiffusionModel(NanNet(), NoiseSchedule())
    with pytest.raises(XrayError, match=NAMED + r"1000\)$"):
        list(generate_demo(model, (32, 32), n_steps=3, seed=0, sampler=sampler))


def test_the_samplers_give_the_denoises_error(noisy_phantom):
    model = DiffusionModel(NanNet(), NoiseSchedule())
    with pytest.raises(XrayError, match=NAMED) as denoised:
        denoise_image(noisy_phantom, model, DenoiseSettings(device="cpu", views=1))
    x = np.zeros((16, 16), dtype=np.float32)
    with pytest.raises(XrayError, match=NAMED + r"200\)$"):
        sample(ddim_sample(model, x, t_start=200.0, n_steps=2))
    with pytest.raises(XrayError, match=NAMED + r"200\)$") as sampled:
        sample(ddpm_sample(model, x, t_start=200.0, n_steps=2, generator=seeded_generator(0)))
    assert str(sampled.value).split(" (at t")[0] == str(denoised.value).split(" (at t")[0]


def test_generation_names_the_model_file(tiny_model, tmp_path):
    with torch.no_grad():
        tiny_model.network.conv_out.weight.fill_(3e38)
        tiny_model.network.conv_out.bias.fill_(3e38)
    path = tmp_path / "overflowing.safetensors"
    save_model(tiny_model, path)
    with pytest.raises(ModelFileError) as caught:
        list(generate_demo(load_model(path), (16, 16), n_steps=2, seed=0))
    assert (
        str(caught.value)
        == f"{path}: the model's output holds NaN or infinite values (at t = 1000)"
    )
