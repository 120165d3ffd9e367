"""How much a per-image strength could gain: each image's best, chosen with its clean image.

For each noise level the project denoises every image at each strength of
:data:`STRENGTHS` (the multiplier of the estimated noise level that picks t*) and prints
the mean PSNR at strength 1 and with each image's best strength. The second is a bound
on any automatic per-image choice (SURE and the like). It also prints the range of the
images' noise std in the model's domain, where t* is picked. It takes the image, noise
and project options of ``denoise_bench.py`` and simulates exactly as it does::

    python benchmarks/strength_bound.py HELD_OUT_FOLDER --limit 8 --crop 512 \\
        --downscale 4 --upscale 3 --threads 2 --views 1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from benchlib import make_case
from denoise_bench import (
    case_parser,
    check_case_args,
    chosen_levels,
    chosen_physics,
    project_and_sources,
)

STRENGTHS = (0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15)


def main(argv: Sequence[str] | None = None) -> int:
    """Print, per noise level, the PSNR at strength 1 and at each image's best strength.

    Returns 0, or 2 with a one-line message when the images or the model are missing.
    """
    from core.denoise.domain import ModelDomain
    from core.noise import NoiseEstimate

    parser = case_parser(__doc__.split("\n\n")[0])
    args = parser.parse_args(argv)
    check_case_args(parser, args)
    loaded = project_and_sources(args)
    if loaded is None:
        return 2
    project, sources = loaded
    print("| noisy | strength 1 | best per image | noise std (model domain) |")
    print("|---|---:|---:|---|")
    for j, level in enumerate(chosen_levels(args)):
        at_one, best, noise = [], [], []
        for i, source in enumerate(sources):
            case = make_case(source, level, physics=chosen_physics(args), seed=[args.seed, i, j])
            clean = case.to_unit(case.clean.pixels)
            scores = []
            for strength in STRENGTHS:
                settings = replace(project.settings, strength=strength)
                result = project.denoise(case.noisy, project.model, settings)
                error = case.to_unit(result.image.pixels) - clean
                scores.append(-10 * np.log10(np.mean(error**2)))
            at_one.append(scores[STRENGTHS.index(1.0)])
            best.append(max(scores))
            estimate = NoiseEstimate.from_pixels(case.noisy.pixels)
            noise.append(ModelDomain.from_image(case.noisy, estimate).noise_std)
        print(
            f"| {level.label} | {np.mean(at_one):.3f} | {np.mean(best):.3f} | "
            f"{min(noise):.4f}-{max(noise):.4f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
