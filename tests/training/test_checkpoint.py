from pathlib import Path

import pytest
import torch

from core.diffusion.unet import UNet, UNetConfig
from core.training.checkpoint import Checkpoint, load_checkpoint, read_checkpoint, save_checkpoint


def _trained():
    torch.manual_seed(0)
    net = UNet(UNetConfig.tiny())
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    for _ in range(2):
        loss = net(torch.randn(2, 1, 16, 16), torch.tensor([3.0, 4.0])).square().mean()
        loss = loss + sum(p.square().sum() for p in net.parameters())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net, opt


def test_round_trip_is_exact(tmp_path):
    net, opt = _trained()
    ema = UNet(UNetConfig.tiny())
    path = tmp_path / "c.safetensors"
    info = Checkpoint(step=2, config={"seed": 1}, extra={"elapsed_s": 3.5})
    save_checkpoint(path, network=net, ema=ema, optimizer=opt, checkpoint=info)
    assert read_checkpoint(path) == info

    net2, ema2 = UNet(UNetConfig.tiny()), UNet(UNetConfig.tiny())
    opt2 = torch.optim.AdamW(net2.parameters(), lr=5.0)
    assert load_checkpoint(path, network=net2, ema=ema2, optimizer=opt2) == info
    for a, b in zip(net.state_dict().values(), net2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    for a, b in zip(ema.state_dict().values(), ema2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert opt2.param_groups[0]["lr"] == 1e-3
    assert opt2.param_groups[0]["betas"] == (0.9, 0.999)
    for p, p2 in zip(net.parameters(), net2.parameters(), strict=True):
        for key in ("step", "exp_avg", "exp_avg_sq"):
            assert torch.equal(opt.state[p][key], opt2.state[p2][key])
    assert not list(tmp_path.glob("*.tmp"))


def test_foreign_file_refused(tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "x.safetensors"
    save_file({"a": torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="not an xray-denoise training checkpoint"):
        read_checkpoint(path)


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="reads Linux's /proc")
def test_a_loaded_checkpoint_leaves_its_file_unmapped_so_it_can_be_replaced(tmp_path):
    # Windows refuses to replace a file that is mapped; the next checkpoint replaces it.
    net, opt = _trained()
    path = tmp_path / "c.safetensors"
    info = Checkpoint(step=2, config={}, extra={})
    save_checkpoint(path, network=net, ema=UNet(UNetConfig.tiny()), optimizer=opt, checkpoint=info)
    net2 = UNet(UNetConfig.tiny())
    opt2 = torch.optim.AdamW(net2.parameters())
    load_checkpoint(path, network=net2, ema=UNet(UNetConfig.tiny()), optimizer=opt2)
    maps = Path("/proc/self/maps").read_text()
    assert str(path.resolve()) not in maps
