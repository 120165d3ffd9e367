import dataclasses

import pytest
import torch

from core.diffusion.grow import is_deepening, load_deepened
from core.diffusion.unet import UNet, UNetConfig


def _deeper(config: UNetConfig, **depth: int) -> UNetConfig:
    return dataclasses.replace(config, **depth)


@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("depth", [{"mid_blocks": 3}, {"blocks_per_level": 2, "mid_blocks": 2}])
def test_deepened_network_computes_the_same_function(randomised_unet, attention, depth):
    small = dataclasses.replace(UNetConfig.tiny(), attention=attention, attention_heads=2)
    source = randomised_unet(small, seed=0)
    # Every weight of the target random, so the new blocks' zero outputs come from load_deepened.
    target = randomised_unet(_deeper(small, **depth), seed=1)
    x, t = torch.randn(2, 1, 24, 20), torch.tensor([3.0, 250.0])
    assert not torch.allclose(target(x, t), source(x, t))

    load_deepened(target, source)

    torch.testing.assert_close(target(x, t), source(x, t), rtol=0, atol=1e-6)
    for name, value in source.state_dict().items():
        torch.testing.assert_close(target.state_dict()[name], value, rtol=0, atol=0)


def test_added_blocks_learn(randomised_unet):
    source = randomised_unet(UNetConfig.tiny())
    target = UNet(_deeper(UNetConfig.tiny(), mid_blocks=2))
    load_deepened(target, source)
    target(torch.randn(1, 1, 16, 16), torch.tensor([10.0])).square().sum().backward()
    added = target.mid.blocks[1].conv2.weight
    assert torch.count_nonzero(added) == 0 and torch.count_nonzero(added.grad) > 0


def test_only_more_blocks_is_a_deepening():
    base = UNetConfig.tiny()
    assert is_deepening(base, base)
    assert is_deepening(base, _deeper(base, blocks_per_level=3, mid_blocks=2))
    assert not is_deepening(_deeper(base, mid_blocks=2), base)
    assert not is_deepening(base, dataclasses.replace(base, base_channels=16))
    assert not is_deepening(base, dataclasses.replace(base, channel_mult=(1, 2, 2)))


def test_load_deepened_refuses_other_architectures(randomised_unet):
    source = randomised_unet(UNetConfig.tiny())
    wider = UNet(dataclasses.replace(UNetConfig.tiny(), base_channels=16))
    with pytest.raises(ValueError, match="more blocks"):
        load_deepened(wider, source)
