"""TrainConfig refuses, by field name, values that would train wrongly or fail late."""

from pathlib import Path

import numpy as np
import pytest

from core.diffusion.unet import UNetConfig
from core.training.config import TrainConfig


def _config(**changes) -> TrainConfig:
    return TrainConfig(data=Path("data"), output=Path("model.safetensors"), **changes)


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("grad_clip", -1.0, r"grad_clip must be > 0"),  # clip_grad_norm_ would flip the gradient
        ("grad_clip", 0.0, r"grad_clip must be > 0"),  # and zero it
        ("grad_clip", float("nan"), r"grad_clip must be > 0"),
        ("min_lr_fraction", 5.0, r"min_lr_fraction must lie in \[0, 1\]"),
        ("min_lr_fraction", -0.1, r"min_lr_fraction must lie in \[0, 1\]"),
        ("ema_decay", 1.5, r"ema_decay must lie in \[0, 1\)"),
        ("ema_decay", 1.0, r"ema_decay must lie in \[0, 1\)"),
        ("weight_decay", -1.0, r"weight_decay must be a number >= 0"),
        ("seed", -1, r"seed must lie in \[0, 2\*\*64\)"),
        ("seed", 2**64, r"seed must lie in \[0, 2\*\*64\)"),
        ("split_seed", -1, r"split_seed must lie in \[0, 2\*\*64\)"),
        ("val_every", -1, r"val_every must be at least 0"),
        ("val_crop", 0, r"val_crop must be a positive multiple of 16"),
        ("val_crop", 250, r"val_crop must be a positive multiple of 16"),
        ("steps", 2.5, r"steps must be an integer, got 2.5"),
        ("binning", 1.5, r"binning must be an integer, got 1.5"),
        ("batch_size", True, r"batch_size must be an integer, got True"),
        ("patch_size", 96.0, r"patch_size must be an integer, got 96.0"),
        ("log_every", "50", r"log_every must be an integer, got '50'"),
        ("checkpoint_every", 1.5, r"checkpoint_every must be an integer"),
        ("val_every", 2.0, r"val_every must be an integer"),
        ("workers", 2.5, r"workers must be an integer"),
        ("seed", 1.5, r"seed must be an integer"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(name, value, reason):
    with pytest.raises(ValueError, match=reason):
        _config(**{name: value})


def test_the_val_crop_multiple_is_the_architectures():
    tiny = UNetConfig.tiny()
    assert _config(architecture=tiny, patch_size=16, val_crop=36).val_crop == 36
    with pytest.raises(ValueError, match=f"multiple of {tiny.size_multiple}, got 34"):
        _config(architecture=tiny, patch_size=16, val_crop=34)


@pytest.mark.parametrize(
    "changes",
    [
        {"grad_clip": float("inf")},  # no clipping
        {"min_lr_fraction": 0.0},
        {"min_lr_fraction": 1.0},
        {"ema_decay": 0.0},
        {"weight_decay": 0.0},
        {"seed": 2**64 - 1, "split_seed": 0},
        {"val_every": 0},  # no validation
        {"workers": None},
        {"workers": 0},
        {"minutes": 0.5},
        {"steps": np.int64(10), "batch_size": np.int32(2)},
    ],
)
def test_limits_and_defaults_are_still_taken(changes):
    config = _config(**changes)
    assert all(getattr(config, name) == value for name, value in changes.items())
