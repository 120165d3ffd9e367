"""A checkpoint cut short, emptied or garbled is refused in one line that names it (exit 2).

safetensors' own error is not an OSError or a ValueError, so the command line took it for a
bug ("unexpected SafetensorError ... please report it", exit 1) and the wizard's Resume
raised it unhandled.
"""

import json

import pytest
import torch
from safetensors.torch import save_file

from core.diffusion.unet import UNet, UNetConfig
from core.errors import error_line, is_bad_input
from core.training.checkpoint import (
    CHECKPOINT_FORMAT,
    CHECKPOINT_VERSION,
    DAMAGED,
    Checkpoint,
    load_checkpoint,
    load_ema,
    read_checkpoint,
    save_checkpoint,
)


def _network_and_optimiser():
    net = UNet(UNetConfig.tiny())
    return net, torch.optim.AdamW(net.parameters())


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The bytes of a whole checkpoint."""
    path = tmp_path_factory.mktemp("ckpt") / "m.checkpoint.safetensors"
    net, opt = _network_and_optimiser()
    info = Checkpoint(step=5, config={"seed": 0}, extra={"elapsed_s": 1.0})
    save_checkpoint(path, network=net, ema=UNet(UNetConfig.tiny()), optimizer=opt, checkpoint=info)
    return path.read_bytes()


@pytest.mark.parametrize("kept", [0, 5, 12, 0.5, -1])
def test_a_checkpoint_cut_short_is_refused_naming_it(whole, tmp_path, kept):
    path = tmp_path / "m.checkpoint.safetensors"
    path.write_bytes(whole[: int(len(whole) * kept) if isinstance(kept, float) else kept])
    net, opt = _network_and_optimiser()
    for read in (
        lambda: read_checkpoint(path),
        lambda: load_checkpoint(path, network=net, ema=UNet(UNetConfig.tiny()), optimizer=opt),
        lambda: load_ema(path, net),
    ):
        with pytest.raises(ValueError) as caught:
            read()
        assert str(caught.value) == f"{path}: {DAMAGED}"
        assert is_bad_input(caught.value) and error_line(caught.value) == str(caught.value)


def test_a_checkpoint_whose_bookkeeping_is_garbled_is_refused_naming_it(tmp_path):
    path = tmp_path / "m.checkpoint.safetensors"
    metadata = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION}
    for broken in ({"step": "five"}, {"step": "5", "config": "{", "extra": "{}"}, {}):
        save_file({"a": torch.zeros(1)}, path, metadata={**metadata, **broken})
        with pytest.raises(ValueError, match=f"^{path}: not a readable training checkpoint"):
            read_checkpoint(path)
    good = {"step": "5", "config": json.dumps({}), "extra": json.dumps({})}
    save_file({"a": torch.zeros(1)}, path, metadata={**metadata, **good})
    net, opt = _network_and_optimiser()
    with pytest.raises(ValueError, match=f"^{path}: not a readable training checkpoint"):
        load_checkpoint(path, network=net, ema=UNet(UNetConfig.tiny()), optimizer=opt)


def test_a_checkpoint_that_cannot_be_opened_gives_the_systems_reason(tmp_path):
    # safetensors says "No such device (os error 19)" of a folder, and "No such file" of a
    # file it may not read.
    with pytest.raises(OSError) as caught:
        read_checkpoint(tmp_path)
    assert error_line(caught.value).startswith(f"{tmp_path}: ")
