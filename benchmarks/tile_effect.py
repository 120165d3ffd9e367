"""How much the tile the network runs on changes a denoised image, and how far the network sees.

Denoises a ``SIZE x SIZE`` SYNTHETIC phantom (float32, 1 view, on the CPU) in one tile and
in smaller tiles with each overlap asked, and counts the pixels that differ from the
one-tile result and by how many stored values. Then it compares the network's noise
prediction on the whole image with that on its top-left quarter, by distance from the
quarter's inner edges: how far in a tile's edge still changes the prediction, which no
overlap narrower than that can hide::

    python benchmarks/tile_effect.py [--size 1024] [--tiles 512] [--overlaps 64,128]
                                     [--photons 3000] [--seed 4] [--threads 2] [--model M]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
from benchlib import set_threads

BAND = 32
"""Width in pixels of the distance bands of the reach table."""


def phantom(size: int, photons: float, seed: int):
    """The noisy 12-bit phantom the table is measured on, as an XrayImage."""
    from core.image import StoredMapping, Window, XrayImage
    from core.noise import phantom_image

    pixels = phantom_image((size, size), photons_per_pixel=photons, seed=seed)
    return XrayImage(pixels.astype(np.float32), StoredMapping(bits_stored=12), Window(2048, 4096))


def tile_table(model, image, tiles: Sequence[int], overlaps: Sequence[int]) -> list[str]:
    """Markdown rows: each tile and overlap against one tile of the whole image."""
    from core.denoise import DenoiseSettings, denoise_image

    def run(tile: int, overlap: int) -> tuple[np.ndarray, float]:
        settings = DenoiseSettings(
            device="cpu", views=1, precision="float32", tile_size=tile, tile_overlap=overlap
        )
        start = time.perf_counter()
        result = denoise_image(image, model, settings)
        return result.image.pixels.astype(np.float64), time.perf_counter() - start

    side = image.shape[0]
    whole, seconds = run(side, min(overlaps))
    rows = [f"| {side} (one tile) | - | - | - | {seconds:.1f} |"]
    for tile in tiles:
        for overlap in overlaps:
            pixels, seconds = run(tile, overlap)
            differ = np.abs(pixels - whole)
            share = np.count_nonzero(differ) / differ.size
            rows.append(
                f"| {tile} | {overlap} | {share:.1%} | {differ.max():.0f} | {seconds:.1f} |"
            )
    return rows


def reach_table(model, image, t: float) -> list[str]:
    """Markdown rows: the largest change of the noise prediction by distance from an edge."""
    import torch

    scaled = image.pixels.astype(np.float32) / 4095.0 * 2.0 - 1.0
    x = torch.from_numpy(scaled)[None, None]
    half = image.shape[0] // 2
    with torch.no_grad():
        whole = model.predict_eps(x, t)[0, 0, :half, :half].numpy()
        part = model.predict_eps(x[..., :half, :half].contiguous(), t)[0, 0].numpy()
    change = np.abs(whole - part)
    rows_in, cols_in = np.meshgrid(np.arange(half), np.arange(half), indexing="ij")
    distance = np.minimum(half - 1 - rows_in, half - 1 - cols_in)  # from the inner edges
    rows = []
    for low in range(0, half, BAND):
        band = change[(distance >= low) & (distance < low + BAND)]
        rows.append(f"| {low}-{low + BAND - 1} | {band.max():.2g} |")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Print the two tables as markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--tiles", default="512", help="comma-separated tile sides")
    parser.add_argument("--overlaps", default="64,128", help="comma-separated overlaps")
    parser.add_argument("--photons", type=float, default=3000.0)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--t", type=float, default=6.4, help="timestep of the reach table")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=None, help="model file (default: the shipped one)")
    args = parser.parse_args(argv)
    set_threads(args.threads)
    from core.denoise import open_model

    model = open_model(args.model)
    image = phantom(args.size, args.photons, args.seed)
    tiles = [int(value) for value in args.tiles.split(",")]
    overlaps = [int(value) for value in args.overlaps.split(",")]
    print(f"{args.size} px phantom, {args.photons:g} quanta, seed {args.seed}; float32, 1 view\n")
    print("| tile | overlap | pixels differing | largest difference (stored values) | s |")
    print("|---|---|---|---|---|")
    print("\n".join(tile_table(model, image, tiles, overlaps)))
    print(f"\nNoise prediction at t = {args.t:g}, whole image against its top-left quarter:\n")
    print("| distance from the quarter's inner edges (px) | largest change |")
    print("|---|---|")
    print("\n".join(reach_table(model, image, args.t)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
