"""The U-Net pads each side to its size multiple by reflection, and by repetition where a side
is no longer than its padding (where reflection fails); sides reflection can pad are padded as
before."""

import pytest
import torch
import torch.nn.functional as F

from core.diffusion.unet import UNetConfig, _pad_to


@pytest.mark.parametrize("shape", [(40, 50), (17, 33), (16, 16), (31, 1)])
def test_sides_longer_than_their_padding_are_reflected_as_before(shape):
    x = torch.randn(2, 1, *shape)
    if -shape[1] % 16 >= shape[1]:  # a column of 1 px: only the rows reflect
        expected = F.pad(F.pad(x, (0, 15, 0, 0), mode="replicate"), (0, 0, 0, 1), mode="reflect")
    else:
        expected = F.pad(x, (0, -shape[1] % 16, 0, -shape[0] % 16), mode="reflect")
    assert torch.equal(_pad_to(x, 16), expected)


def test_a_side_no_longer_than_its_padding_repeats_its_last_row():
    x = torch.randn(1, 1, 12, 300)
    padded = _pad_to(x, 32)
    assert padded.shape == (1, 1, 32, 320)
    assert torch.equal(padded[..., 12:, :300], x[..., 11:12, :].expand(-1, -1, 20, -1))
    assert torch.equal(padded[..., :12, :], F.pad(x, (0, 20, 0, 0), mode="reflect"))


@pytest.mark.parametrize("shape", [(12, 300), (1, 1), (8, 64), (300, 3)])
def test_the_network_takes_a_side_shorter_than_its_padding(randomised_unet, shape):
    config = UNetConfig(base_channels=8, channel_mult=(1, 2, 2, 2, 2), blocks_per_level=1, groups=4)
    net = randomised_unet(config)
    with torch.no_grad():
        out = net(torch.randn(1, 1, *shape), torch.tensor([500.0]))
    assert out.shape == (1, 1, *shape)
    assert torch.isfinite(out).all()


def test_the_output_where_reflection_pads_is_as_before(randomised_unet):
    net = randomised_unet(UNetConfig.tiny())
    x, t = torch.randn(1, 1, 30, 42), torch.tensor([300.0])

    with torch.no_grad():
        out = net(x, t)
        padded = F.pad(x, (0, 2, 0, 2), mode="reflect")
        assert torch.equal(out, net(padded, t)[..., :30, :42])
