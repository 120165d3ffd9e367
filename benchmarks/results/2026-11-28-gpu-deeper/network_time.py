"""CPU seconds of one network call, the shipped architecture against the deeper one.

From the repository root::

    .venv/bin/python benchmarks/results/2026-11-28-gpu-deeper/network_time.py

Randomly initialised networks (time does not depend on the weights) of 48 base channels,
channel multipliers 1-2-4-4, 2 blocks per level and 6, 10 or 14 blocks at the bottom, on a
1024 x 1024 input in float32 with 2 threads; the four calls of each, interleaved, sorted.
"""

import time

import torch

from core.diffusion.unet import UNet, UNetConfig

torch.set_num_threads(2)
x, t = torch.randn(1, 1, 1024, 1024), torch.tensor(0.05)
nets = {
    mid: UNet(UNetConfig(base_channels=48, channel_mult=(1, 2, 4, 4), mid_blocks=mid)).eval()
    for mid in (6, 10, 14)
}
seconds: dict[int, list[float]] = {mid: [] for mid in nets}
with torch.inference_mode():
    for _ in range(4):
        for mid, net in nets.items():
            start = time.perf_counter()
            net(x, t)
            seconds[mid].append(time.perf_counter() - start)
for mid, times in seconds.items():
    print(f"mid_blocks {mid}: " + ", ".join(f"{s:.3f}" for s in sorted(times)) + " s")
