"""What a wider or deeper network would cost: one call's seconds, against the shipped one's.

Builds the shipped model's U-Net and variants of it (more base channels, a block more
per level, a wider lowest level) with random weights and times one call of each on a
``SIDE x SIDE`` image, the networks in turn, over ``--rounds`` rounds after a warm-up.
Taking each variant's ratio to the shipped network within a round and then the median
over rounds keeps a shared machine's slow spells out of the ratios. It prints the median
seconds, the median ratio and the parameter count. ``--precision bfloat16`` times every
network under CPU bfloat16 autocast, as a denoise runs it on a CPU with AMX::

    python benchmarks/network_cost.py [--side 1024] [--threads 2] [--rounds 7]
                                      [--precision float32|bfloat16]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from dataclasses import replace

from benchlib import set_threads

VARIANTS = {
    "56 base channels": {"base_channels": 56},
    "64 base channels": {"base_channels": 64},
    "3 blocks per level": {"blocks_per_level": 3},
    "channel mult (1, 2, 4, 8)": {"channel_mult": (1, 2, 4, 8)},
}


def round_robin_seconds(
    configs: dict, side: int, rounds: int, *, bfloat16: bool = False
) -> dict[str, list[float]]:
    """Seconds of one call of each network, per round (the networks timed in turn)."""
    import torch

    from core.diffusion.unet import UNet

    networks = {name: UNet(config).eval() for name, config in configs.items()}
    x, t = torch.randn(1, 1, side, side), torch.full((1,), 50.0)
    seconds: dict[str, list[float]] = {name: [] for name in networks}
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16)
    with torch.inference_mode(), autocast:
        for network in networks.values():
            network(x, t)  # warm-up
        for _ in range(rounds):
            for name, network in networks.items():
                start = time.perf_counter()
                network(x, t)
                seconds[name].append(time.perf_counter() - start)
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    """Print one call's time of the shipped network and of each variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=1024, help="image side in pixels")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--rounds", type=int, default=7, help="timed calls of each network")
    parser.add_argument("--model", help="model whose network is the baseline (default: shipped)")
    parser.add_argument(
        "--precision",
        choices=("float32", "bfloat16"),
        default="float32",
        help="what the networks compute in (bfloat16: CPU autocast)",
    )
    args = parser.parse_args(argv)
    set_threads(args.threads)
    from core.denoise import default_model_path, open_model
    from core.diffusion.unet import UNet

    shipped = open_model(args.model or default_model_path()).network.config
    configs = {"shipped": shipped} | {
        name: replace(shipped, **change) for name, change in VARIANTS.items()
    }
    seconds = round_robin_seconds(
        configs, args.side, args.rounds, bfloat16=args.precision == "bfloat16"
    )
    import torch

    print(f"{args.precision}, {torch.get_num_threads()} thread(s)")
    print(f"| network | s per {args.side} px call | vs shipped | parameters |")
    print("|---|---:|---:|---:|")
    for name, config in configs.items():
        ratio = statistics.median(
            a / b for a, b in zip(seconds[name], seconds["shipped"], strict=True)
        )
        params = sum(p.numel() for p in UNet(config).parameters()) / 1e6
        print(
            f"| {name} | {statistics.median(seconds[name]):.3f} | {ratio:.2f}x | {params:.2f} M |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
