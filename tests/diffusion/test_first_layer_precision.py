"""The network's first layer reads x_t in float32 even under a half-precision autocast."""

import torch

from core.diffusion.unet import UNetConfig


def test_the_first_layer_sees_float32_under_bfloat16_autocast(randomised_unet):
    net = randomised_unet(UNetConfig.tiny())
    seen = []
    net.conv_in.register_forward_hook(lambda _, args, out: seen.append((args[0].dtype, out.dtype)))
    x = torch.linspace(-1, 1, 32 * 32).reshape(1, 1, 32, 32)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        eps = net(x, torch.tensor([5.0]))
    assert seen == [(torch.float32, torch.float32)]
    assert eps.dtype == torch.bfloat16  # the layers after it still run in bfloat16


def test_the_first_layer_under_autocast_equals_float32(randomised_unet):
    net = randomised_unet(UNetConfig.tiny())
    x = torch.linspace(-1, 1, 32 * 32).reshape(1, 1, 32, 32) * 0.3
    with torch.inference_mode():
        full = net.conv_in(torch.nn.functional.pixel_unshuffle(x, net.config.unshuffle))
        captured = []
        net.conv_in.register_forward_hook(lambda *a: captured.append(a[2]))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            net(x, torch.tensor([5.0]))
    # float32 up to summation order (channels-last in the network); bfloat16 would be ~1e-3
    torch.testing.assert_close(captured[0], full, rtol=1e-5, atol=1e-6)
