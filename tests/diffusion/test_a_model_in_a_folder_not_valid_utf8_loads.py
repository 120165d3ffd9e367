"""Models and checkpoints load from a folder whose name is not valid UTF-8.

safetensors' readers take a path as UTF-8 text: a model saved under a Latin-1 folder name
(``R\\xf6ntgen``, which Linux keeps as bytes) was written but could not be loaded again
("Path ... is not valid UTF-8"), nor a training checkpoint resumed. The header is now read
by :mod:`core.io.safetensors_header` and the tensors from the bytes read, the bytes whose
SHA-256 is checked.
"""

import os
import sys

import pytest
import torch

from core.diffusion.model import load_model, save_model
from core.diffusion.unet import UNet, UNetConfig
from core.training.checkpoint import Checkpoint, load_checkpoint, read_checkpoint, save_checkpoint

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="needs file names of any bytes")


def test_a_model_saved_there_loads(tmp_path, tiny_model):
    folder = tmp_path / os.fsdecode(b"R\xf6ntgen")
    folder.mkdir()
    path = folder / "tiny.safetensors"
    card = save_model(tiny_model, path)
    loaded = load_model(path)
    assert loaded.card.weights_sha256 == card.weights_sha256
    for a, b in zip(
        tiny_model.network.state_dict().values(),
        loaded.network.state_dict().values(),
        strict=True,
    ):
        assert torch.equal(a, b)


def test_a_checkpoint_saved_there_resumes(tmp_path):
    folder = tmp_path / os.fsdecode(b"R\xf6ntgen")
    folder.mkdir()
    path = folder / "run.checkpoint.safetensors"
    net, ema = UNet(UNetConfig.tiny()), UNet(UNetConfig.tiny())
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-3)
    info = Checkpoint(step=2, config={"seed": 1}, extra={})
    save_checkpoint(path, network=net, ema=ema, optimizer=optimizer, checkpoint=info)
    assert read_checkpoint(path) == info
    net2, ema2 = UNet(UNetConfig.tiny()), UNet(UNetConfig.tiny())
    optimizer2 = torch.optim.AdamW(net2.parameters(), lr=1e-3)
    assert load_checkpoint(path, network=net2, ema=ema2, optimizer=optimizer2) == info
