"""Where the error is: the project's and the BM3D+GAT oracle's squared error by detected quanta.

For each noise level the pixels of all images are split into ten bins (deciles) of the
expected detected quanta at that dose, and the script prints each bin's share of either
method's squared error and the ratio of their mean squared errors. It takes the image,
noise and project options of ``denoise_bench.py`` and simulates exactly as it does (the
BM3D extra is needed)::

    python benchmarks/error_by_counts.py HELD_OUT_FOLDER --limit 8 --crop 512 \\
        --downscale 4 --upscale 3 --threads 2
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from benchlib import bm3d_gat_oracle, counts_of, make_case
from denoise_bench import (
    case_parser,
    check_case_args,
    chosen_levels,
    chosen_physics,
    project_and_sources,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Print, per noise level, the error of both methods by decile of detected quanta.

    Returns 0, or 2 with a one-line message when the images, the model or an extra is missing.
    """
    parser = case_parser(__doc__.split("\n\n")[0])
    args = parser.parse_args(argv)
    check_case_args(parser, args)
    loaded = project_and_sources(args, ["bm3d-gat-oracle"])
    if loaded is None:
        return 2
    project, sources = loaded
    denoise, physics = project.method().run, chosen_physics(args)
    for j, level in enumerate(chosen_levels(args)):
        ours, oracle, quanta = [], [], []
        for i, source in enumerate(sources):
            case = make_case(source, level, physics=physics, seed=[args.seed, i, j])
            clean = case.to_unit(case.clean.pixels)
            ours.append(((case.to_unit(denoise(case)) - clean) ** 2).ravel())
            oracle.append(((case.to_unit(bm3d_gat_oracle(case)) - clean) ** 2).ravel())
            quanta.append(counts_of(case, case.clean.pixels).ravel())  # at the case's dose
        se_ours, se_oracle, counts = map(np.concatenate, (ours, oracle, quanta))
        print(
            f"\n{level.label}: project {-10 * np.log10(se_ours.mean()):.2f} dB, "
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
