"""Mean bias of the denoised image by detected quanta per pixel, on phantoms at low doses.

A phantom (:func:`core.noise.phantom_image`, 12 bits, electronic noise
``--electronic-noise`` quanta rms, 4 by default) is taken noise-free and at each of
``--photons`` quanta per unattenuated pixel, denoised blind at the default settings with
the shipped model (or ``--model``), and its pixels are split by the quanta the noise-free
phantom's attenuation lets through (``N0 exp(-mu)``). Each row gives, per band, the share
of the pixels in it and the relative difference of the mean of the noisy input and of the
denoised result from the noise-free mean. Where few quanta are detected a pixel often
detects none, the log detector clips it, and the input's mean there is lost.
``--by clipping`` splits the pixels instead by the probability that their reading is
clipped (:func:`core.denoise.low_quanta.clipping_probability`, at the floor of one
quantum or, where the stored range ends first, at the quanta of its attenuating end);
``--by quanta,clipping`` prints both tables from the same denoising::

    python benchmarks/bias_by_counts.py [--photons 200,500,1000,2000,20000] [--size 512]
        [--seeds 2] [--electronic-noise 4] [--by quanta] [--threads 2] [--model M]
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

CLIPPING_BANDS = (0.0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 1.0 + 1e-9)
"""Edges of the bands of clipping probability (``--by clipping``); the last takes in 1."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photons", default="200,500,1000,2000,20000")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--electronic-noise", type=float, default=4.0, help="quanta rms")
    parser.add_argument(
        "--by", default="quanta", help="split by quanta, clipping (probability) or both"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, default=None)
    return parser.parse_args(argv)


def band_means(
    clean: np.ndarray,
    other: np.ndarray,
    quanta: np.ndarray,
    bands: Sequence[float] = BANDS,
) -> list[tuple[float, float]]:
    """Return ``(share of pixels, relative mean difference)`` per band of ``bands``.

    ``quanta`` is what the bands split: quanta per pixel (:data:`BANDS`) or
    clipping probabilities (:data:`CLIPPING_BANDS`).
    """
    out = []
    for low, high in zip(bands[:-1], bands[1:], strict=True):
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


def clipping_label(low: float, high: float) -> str:
    """``"1-5 %"``, ``"30 %+"``."""
    return f"{100 * low:g} %+" if high > 1 else f"{100 * low:g}-{100 * high:g} %"


def clipping_of(quanta: np.ndarray, photons: float, electronic_noise: float) -> np.ndarray:
    """Per pixel, the probability that the noisy phantom's reading is clipped.

    The log's floor is one quantum, or the quanta at the stored range's attenuating end
    where that is more (``N0 exp(-7)``: 1.8 quanta at 2000 per unattenuated pixel).
    """
    from core.denoise.low_quanta import clipping_probability
    from core.noise import DEFAULT_MAX_ATTENUATION

    floor = max(1.0, photons * math.exp(-DEFAULT_MAX_ATTENUATION))
    levels, index = np.unique(quanta, return_inverse=True)
    clipped = clipping_probability(levels, electronic_noise, floor=floor)
    return clipped[index].reshape(quanta.shape)


def print_table(title: str, labels: Sequence[str], rows: Sequence[str]) -> None:
    """One markdown table: a row per dose and seed, a column per band."""
    print(f"| quanta (unattenuated) | seed | {' | '.join(f'{b} {title}' for b in labels)} |")
    print("|---|---:|" + "---|" * len(labels))
    for row in rows:
        print(row)
    print()


def main(argv: Sequence[str] | None = None) -> int:
    """Print a markdown table per split: per dose, seed and band, share and relative bias."""
    args = parse_args(argv)
    splits = args.by.split(",")
    if not set(splits) <= {"quanta", "clipping"}:
        raise SystemExit(f"--by takes quanta, clipping or both, got {args.by!r}")
    import torch

    from core.denoise import DenoiseSettings, default_model_path, denoise_image, open_model
    from core.image import StoredMapping, Window, XrayImage
    from core.noise import DEFAULT_MAX_ATTENUATION, phantom_image

    torch.set_num_threads(args.threads)
    model = open_model(args.model or default_model_path())
    top = 4095
    electronic = args.electronic_noise
    print(
        f"model {args.model or default_model_path()}; {args.size} px phantoms, 12 bits, "
        f"electronic noise {electronic:g} quanta rms"
    )
    print()
    rows: dict[str, list[str]] = {split: [] for split in splits}
    for photons in (float(p) for p in args.photons.split(",")):
        for seed in range(args.seeds):
            shape = (args.size, args.size)
            clean = phantom_image(shape, seed=seed).astype(np.float64)
            stored = phantom_image(
                shape, photons_per_pixel=photons, electronic_noise=electronic, seed=seed
            )
            image = XrayImage(
                pixels=stored.astype(np.float32),
                mapping=StoredMapping(bits_stored=12),
                window=Window((top + 1) / 2, top + 1),
                photometric="MONOCHROME2",
            )
            result = denoise_image(image, model, DenoiseSettings())
            quanta = photons * np.exp(-DEFAULT_MAX_ATTENUATION * clean / top)
            for split in splits:
                by, bands = (
                    (quanta, BANDS)
                    if split == "quanta"
                    else (clipping_of(quanta, photons, electronic), CLIPPING_BANDS)
                )
                noisy = band_means(clean, image.pixels.astype(np.float64), by, bands)
                denoised = band_means(clean, result.image.pixels.astype(np.float64), by, bands)
                cells = [
                    "-" if share == 0 else f"{share:.1%}: {bias_in:+.1%} / {bias_out:+.1%}"
                    for (share, bias_in), (_, bias_out) in zip(noisy, denoised, strict=True)
                ]
                rows[split].append(f"| {photons:g} | {seed} | " + " | ".join(cells) + " |")
            print(f"done {photons:g} quanta, seed {seed}", file=sys.stderr, flush=True)
    for split in splits:
        if split == "quanta":
            labels = [band_label(lo, hi) for lo, hi in zip(BANDS[:-1], BANDS[1:], strict=True)]
            print_table("quanta", labels, rows[split])
        else:
            edges = zip(CLIPPING_BANDS[:-1], CLIPPING_BANDS[1:], strict=True)
            print_table("clipped", [clipping_label(lo, hi) for lo, hi in edges], rows[split])
    print("Each cell: share of the pixels in the band: input / denoised mean relative to the")
    print("noise-free phantom's mean over the same pixels.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
