"""A resumed run whose validation at doses differs from its checkpoint's says so, once."""

import logging
from dataclasses import replace

import numpy as np
from PIL import Image

from core.diffusion.unet import UNetConfig
from core.noise import phantom_image
from core.training.config import TrainConfig
from core.training.loop import train


def test_changed_doses_on_resume_are_warned_of_once(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir()
    for i in range(3):
        stored = phantom_image((48, 48), photons_per_pixel=20_000.0, seed=i)
        Image.fromarray(np.asarray(stored)).save(data / f"p{i}.png")
    config = TrainConfig(
        data=data,
        output=tmp_path / "run" / "model.safetensors",
        device="cpu",
        steps=2,
        batch_size=2,
        patch_size=16,
        warmup_steps=0,
        val_fraction=0.3,
        val_every=2,
        val_crop=32,
        checkpoint_every=2,
        log_every=1,
        progress=False,
        architecture=UNetConfig.tiny(),
        val_doses=(0.5,),
    )
    train(config)
    with caplog.at_level(logging.WARNING, logger="core.training.loop"):
        train(replace(config, steps=4, resume=True))
    same = [m for m in caplog.messages if "validation settings changed" in m]
    assert same == []
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="core.training.loop"):
        train(replace(config, steps=6, resume=True, val_doses=(0.2, 0.5), val_photons=9000.0))
    changed = [m for m in caplog.messages if "validation settings changed" in m]
    assert changed == [
        "validation settings changed since the checkpoint (val_doses 0.5 -> 0.2, 0.5; "
        "val_photons measured -> 9000): the scores after step 4 are not comparable with "
        "those up to it"
    ]
