"""Training runs its network in bfloat16 where that is in hardware, and the card says so."""

from dataclasses import replace

import pytest
import torch

from core.device import cpu_has_amx
from core.diffusion import load_model
from core.training.arguments import PRECISIONS, training_parser
from core.training.config import TrainConfig
from core.training.loop import train, training_dtype

CPU = torch.device("cpu")


def test_float32_is_float32_and_auto_is_bfloat16_only_with_amx():
    assert training_dtype(CPU, "float32") == torch.float32
    assert training_dtype(CPU, "auto") == (torch.bfloat16 if cpu_has_amx() else torch.float32)


def test_the_card_names_the_precision_used(tiny_config):
    train(replace(tiny_config, val_every=0))
    training = load_model(tiny_config.output).card.training
    assert training["precision"] == ("bfloat16 on CPU" if cpu_has_amx() else "float32 on CPU")
    assert training["settings"]["precision"] == "auto"


def test_float32_is_recorded_as_asked(tiny_config):
    config = replace(tiny_config, precision="float32", val_every=0)
    train(config)
    training = load_model(config.output).card.training
    assert training["precision"] == "float32 on CPU"
    assert training["settings"]["precision"] == "float32"


def test_a_bad_precision_is_refused(tiny_config):
    with pytest.raises(ValueError, match="precision must be 'auto' or 'float32'"):
        replace(tiny_config, precision="bfloat16")
    assert PRECISIONS == ("auto", "float32")
    args = training_parser("xray-denoise train").parse_args(["folder", "--output", "m.safetensors"])
    assert args.precision == "auto"
    assert TrainConfig(data="d", output="m.safetensors").precision == "auto"


def test_the_command_lines_choices_are_the_settings():
    from core.device import PRECISION_CHOICES

    assert PRECISIONS == PRECISION_CHOICES  # named twice: the parser imports no torch
