"""A model that outputs NaN or infinity is named as the fault; a model's name tells models apart."""

import dataclasses

import pytest
import torch

from core.denoise import DenoiseSettings, denoise_image
from core.denoise.pipeline import model_name
from core.diffusion import DiffusionModel, NoiseSchedule, UNet, UNetConfig, load_model, save_model
from core.errors import ModelFileError, XrayError


def _overflowing(tiny_model):
    """The tiny model with finite weights so large that its output overflows to infinity."""
    with torch.no_grad():
        tiny_model.network.conv_out.weight.fill_(3e38)
        tiny_model.network.conv_out.bias.fill_(3e38)
    return tiny_model


def test_an_output_of_infinity_names_the_model_file_not_the_image(
    tiny_model, noisy_phantom, tmp_path
):
    path = tmp_path / "overflowing.safetensors"
    save_model(_overflowing(tiny_model), path)
    model = load_model(path)  # every weight is finite: the file itself is not refused
    with pytest.raises(ModelFileError) as caught:
        denoise_image(noisy_phantom, model, DenoiseSettings(device="cpu", views=1))
    assert str(caught.value).startswith(
        f"{path}: the model's output holds NaN or infinite values (at t = "
    )


def test_a_model_never_saved_is_named_by_its_architecture(tiny_model, noisy_phantom):
    with pytest.raises(XrayError, match=r"^model unet8, channel_mult 1-2, .*: the model's output"):
        denoise_image(noisy_phantom, _overflowing(tiny_model), DenoiseSettings(device="cpu"))


@pytest.mark.parametrize(
    ("change", "n_timesteps", "named"),
    [
        ({"norm": "group"}, 1000, ", mid_blocks 1, norm group, groups 4, cosine-v1"),
        ({"norm": "group", "groups": 2}, 1000, ", norm group, groups 2, cosine-v1"),
        ({}, 500, ", mid_blocks 1, cosine-v1 T=500"),
        ({"unshuffle": 1, "time_embed_mult": 2}, 1000, ", unshuffle 1, time_embed_mult 2,"),
        ({"attention": True, "attention_heads": 2}, 1000, ", attention, attention_heads 2,"),
    ],
)
def test_the_model_name_names_every_field_that_changes_the_model(change, n_timesteps, named):
    config = dataclasses.replace(UNetConfig.tiny(), **change)
    name = model_name(DiffusionModel(UNet(config), NoiseSchedule(n_timesteps=n_timesteps)))
    assert named in name
    plain = model_name(DiffusionModel(UNet(UNetConfig.tiny()), NoiseSchedule()))
    assert plain == "unet8, channel_mult 1-2, blocks_per_level 1, mid_blocks 1, cosine-v1"
