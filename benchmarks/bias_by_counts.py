"""Mean bias of the denoised image by detected quanta per pixel, on phantoms at low doses.

A phantom (:func:`core.noise.phantom_image`, 12 bits, electronic noise 4 quanta rms) is
taken noise-free and at each of ``--photons`` quanta per unattenuated pixel, denoised
blind at the default settings with the shipped model (or ``--model``), and its pixels
are split by the quanta the noise-free phantom's attenuation lets through
(``N0 exp(-mu)``). Each row gives, per band, the share of the pixels in it and the
relative difference of the mean of the noisy input and of the denoised result from the
noise-free mean. Where few quanta are detected a pixel often detects none, the log
detector clips it, and the input's mean there is lost::

    python benchmarks/bias_by_counts.py [--photons 200,500,1000,2000,20000] [--size 512]
        [--seeds 2] [--threads 2] [--model M]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

BANDS = (0.0, 2.0, 5.0, 10.0, 20.0, 50.0, math.inf)
"""Edges of the bands of quanta per pixel (noise-free phantom)."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photons", default="200,500,1000,2000,20000")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, default=None)
    return parser.parse_args(argv)


def band_means(
    clean: np.ndarray, other: np.ndarray, quanta: np.ndarray
) -> list[tuple[float, float]]:
    """Return ``(share of pixels, relative mean difference)`` per band of :data:`BANDS`."""
    out = []
    for low, high in zip(BANDS[:-1], BANDS[1:], strict=True):
        inside = (quanta >= low) & (quanta < high)
        if not inside.any():
            out.append((0.0, math.nan))
            continue
        reference = float(clean[inside].mean())
        out.append((float(inside.mean()), float(other[inside].mean()) / reference - 1))
    return out


def band_label(low: float, high: float) -> str:
    """``"2-5"``, ``"50+"``."""
    return f"{low:g}+" if math.isinf(high) else f"{low:g}-{high:g}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print one markdown table: per dose, seed and band, share and relative bias."""
    args = parse_args(argv)
    import torch

    from core.denoise import DenoiseSettings, default_model_path, denoise_image, open_model
    from core.image import StoredMapping, Window, XrayImage
    from core.noise import DEFAULT_MAX_ATTENUATION, phantom_image

    torch.set_num_threads(args.threads)
    model = open_model(args.model or default_model_path())
    top = 4095
    print(f"model {args.model or default_model_path()}; {args.size} px phantoms, 12 bits")
    print()
    bands = [band_label(lo, hi) for lo, hi in zip(BANDS[:-1], BANDS[1:], strict=True)]
    print("| quanta (unattenuated) | seed | " + " | ".join(f"{b} quanta" for b in bands) + " |")
    print("|---|---:|" + "---|" * len(bands))
    for photons in (float(p) for p in args.photons.split(",")):
        for seed in range(args.seeds):
            shape = (args.size, args.size)
            clean = phantom_image(shape, seed=seed).astype(np.float64)
            stored = phantom_image(shape, photons_per_pixel=photons, seed=seed)
            image = XrayImage(
                pixels=stored.astype(np.float32),
                mapping=StoredMapping(bits_stored=12),
                window=Window((top + 1) / 2, top + 1),
                photometric="MONOCHROME2",
            )
            result = denoise_image(image, model, DenoiseSettings())
            quanta = photons * np.exp(-DEFAULT_MAX_ATTENUATION * clean / top)
            noisy = band_means(clean, image.pixels.astype(np.float64), quanta)
            denoised = band_means(clean, result.image.pixels.astype(np.float64), quanta)
            cells = [
                "-" if share == 0 else f"{share:.1%}: {bias_in:+.1%} / {bias_out:+.1%}"
                for (share, bias_in), (_, bias_out) in zip(noisy, denoised, strict=True)
            ]
            print(f"| {photons:g} | {seed} | " + " | ".join(cells) + " |")
            sys.stdout.flush()
    print()
    print("Each cell: share of the pixels in the band: input / denoised mean relative to the")
    print("noise-free phantom's mean over the same pixels.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
