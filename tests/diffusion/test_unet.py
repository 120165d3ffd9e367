import json

import pytest
import torch

from core.diffusion.unet import UNet, UNetConfig, timestep_embedding


def test_fresh_network_predicts_zero():
    # Zero-initialised output conv (improved-diffusion's zero_module).
    net = UNet(UNetConfig.tiny())
    out = net(torch.randn(2, 1, 16, 16), torch.tensor([3.0, 500.0]))
    assert torch.count_nonzero(out) == 0


@pytest.mark.parametrize("shape", [(1, 1, 16, 16), (2, 1, 17, 23), (1, 1, 32, 20)])
def test_any_size_keeps_shape(shape, randomised_unet):
    net = randomised_unet(UNetConfig.tiny())
    out = net(torch.randn(shape), torch.full((shape[0],), 7.5))
    assert out.shape == shape
    assert torch.isfinite(out).all()


def test_scalar_time_broadcasts(randomised_unet):
    net = randomised_unet(UNetConfig.tiny())
    x = torch.randn(3, 1, 16, 16)
    torch.testing.assert_close(net(x, torch.tensor(4.0)), net(x, torch.full((3,), 4.0)))


def test_continuous_time_matters(randomised_unet):
    net = randomised_unet(UNetConfig.tiny())
    x = torch.randn(1, 1, 16, 16)
    assert not torch.allclose(net(x, torch.tensor([2.0])), net(x, torch.tensor([2.5])))


def test_timestep_embedding():
    emb = timestep_embedding(torch.tensor([0.0, 2.5]), 8)
    assert emb.shape == (2, 8)
    torch.testing.assert_close(emb[0], torch.tensor([1.0] * 4 + [0.0] * 4))
    assert emb[1, 0] == pytest.approx(torch.cos(torch.tensor(2.5)).item())


def test_layer_norm_network_is_local(randomised_unet):
    # The output at a pixel depends only on a neighbourhood (no spatial statistics), so a
    # crop aligned to the size multiple gives the same centre as the whole image.
    net = randomised_unet(UNetConfig.tiny())
    x = torch.randn(1, 1, 160, 160, generator=torch.Generator().manual_seed(3))
    t = torch.tensor([20.0])
    with torch.no_grad():
        full = net(x, t)[..., 64:96, 64:96]
        crop = net(x[..., 32:128, 32:128], t)[..., 32:64, 32:64]
    torch.testing.assert_close(crop, full, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("changes", [{"norm": "group"}, {"attention": True, "attention_heads": 2}])
def test_variants_run(changes, randomised_unet):
    config = UNetConfig(**{**UNetConfig.tiny().to_config(), "channel_mult": (1, 2), **changes})
    net = randomised_unet(config)
    assert net(torch.randn(1, 1, 16, 16), torch.tensor([1.0])).shape == (1, 1, 16, 16)


def test_config_json_round_trip():
    config = UNetConfig(channel_mult=(1, 2, 4, 4), attention=True)
    again = UNetConfig.from_config(json.loads(json.dumps(config.to_config())))
    assert again == config
    assert UNetConfig().size_multiple == 16
    assert UNetConfig(channel_mult=(1, 2, 4)).size_multiple == 8
    assert config.size_multiple == 16


@pytest.mark.parametrize(
    "changes",
    [{"norm": "batch"}, {"channel_mult": ()}, {"base_channels": 7}, {"groups": 5, "norm": "group"}],
)
def test_bad_config_raises(changes):
    with pytest.raises(ValueError):
        UNetConfig(**changes)


def test_default_size():
    n_params = sum(p.numel() for p in UNet(UNetConfig()).parameters())
    assert 1e6 < n_params < 4e6
