"""Where the error is: the project's and the BM3D+GAT oracle's squared error by detected quanta.

For each noise level the pixels of all images are split into ten bins (deciles) of the
expected detected quanta at that dose, and the script prints each bin's share of either
method's squared error and the ratio of their mean squared errors. Same simulation, seeds
and preparation as ``denoise_bench.py`` (the BM3D extra is needed)::

    python benchmarks/error_by_counts.py HELD_OUT_FOLDER --limit 8 --crop 512 \\
        --downscale 4 --upscale 3 --threads 2
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from benchlib import (
    DEFAULT_NOISY_PSNR,
    Level,
    Physics,
    Project,
    bm3d_gat_oracle,
    counts_of,
    make_case,
    prepare,
    read_sources,
    set_threads,
)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("folder", type=Path, help="folder of clean images")
    p.add_argument("--limit", type=int, help="at most this many images")
    p.add_argument("--crop", type=int, help="centred square crop")
    p.add_argument("--downscale", type=int, default=1, help="block-average factor")
    p.add_argument("--upscale", type=float, default=1.0, help="cubic zoom after averaging")
    p.add_argument("--model", type=Path, help="model file (default: the shipped model)")
    p.add_argument("--views", type=int, help="views of the project (default: its default)")
    p.add_argument("--threads", type=int, help="CPU threads")
    p.add_argument("--seed", type=int, default=0, help="noise seed, as denoise_bench.py")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Print, per noise level, the error of both methods by decile of detected quanta."""
    args = parse_args(argv)
    set_threads(args.threads)
    project = Project.load(args.model, views=args.views)
    denoise = project.method().run
    sources = [
        prepare(s, crop=args.crop, downscale=args.downscale, upscale=args.upscale)
        for s in read_sources(args.folder, limit=args.limit)
    ]
    print(f"project: {project.describe()}")
    for j, db in enumerate(DEFAULT_NOISY_PSNR):
        ours, oracle, quanta = [], [], []
        for i, source in enumerate(sources):
            case = make_case(source, Level.psnr(db), physics=Physics(), seed=[args.seed, i, j])
            clean = case.to_unit(case.clean.pixels)
            ours.append(((case.to_unit(denoise(case)) - clean) ** 2).ravel())
            oracle.append(((case.to_unit(bm3d_gat_oracle(case)) - clean) ** 2).ravel())
            quanta.append((case.dose * counts_of(case, case.clean.pixels)).ravel())
        se_ours, se_oracle, counts = map(np.concatenate, (ours, oracle, quanta))
        print(
            f"\nnoisy {db:g} dB: project {-10 * np.log10(se_ours.mean()):.2f} dB, "
            f"oracle {-10 * np.log10(se_oracle.mean()):.2f} dB"
        )
        print("| quanta per pixel | share of project SE | share of oracle SE | MSE ratio |")
        print("|---|---:|---:|---:|")
        edges = np.quantile(counts, np.linspace(0, 1, 11))
        for k, (low, high) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
            inside = (counts >= low) & ((counts < high) if k < 9 else (counts <= high))
            print(
                f"| {low:.2f}-{high:.2f} | {se_ours[inside].sum() / se_ours.sum():.3f} | "
                f"{se_oracle[inside].sum() / se_oracle.sum():.3f} | "
                f"{se_ours[inside].mean() / se_oracle[inside].mean():.2f} |"
            )


if __name__ == "__main__":
    main()
