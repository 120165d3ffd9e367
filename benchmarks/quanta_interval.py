"""How often the measured quanta's one-standard-error interval holds the true quanta.

Phantoms (:func:`core.noise.phantom_image`) taken at known quanta stand in for real
radiographs. For each side and exposure, the quanta are measured from each phantom's
noise (:meth:`core.noise.LowDoseSettings.measured_from`, electronic noise 4 given, as
the dose dialog does) and the script prints how many were measured or refused, their
mean error and how many intervals (``photons_range``) hold the truth::

    python benchmarks/quanta_interval.py [--sizes 256,384,512] [--photons 100,2000]
        [--seeds 20]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from dose_measurement import as_image

from core.noise import DEFAULT_ELECTRONIC_NOISE, LowDoseSettings, phantom_image


def main(argv: Sequence[str] | None = None) -> int:
    """Print one line per side and exposure; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="256,384,512", help="phantom sides, comma-separated")
    parser.add_argument("--photons", default="100,200,2000,20000", help="true quanta per pixel")
    parser.add_argument("--seeds", type=int, default=20, help="phantoms per side and exposure")
    args = parser.parse_args(argv)
    print("size  quanta  measured  refused  mean error %  held")
    for size in (int(s) for s in args.sizes.split(",")):
        for photons in (float(p) for p in args.photons.split(",")):
            errors, held, refused = [], 0, 0
            for seed in range(args.seeds):
                stored = phantom_image((size, size), photons_per_pixel=photons, seed=seed)
                try:
                    measured = LowDoseSettings.measured_from(
                        as_image(stored), 1.0, electronic_noise=DEFAULT_ELECTRONIC_NOISE
                    )
                except ValueError:  # too small, too few intensities, ...: to be entered
                    refused += 1
                    continue
                errors.append(100.0 * (measured.photons_per_pixel / photons - 1.0))
                low, high = measured.photons_range or (np.nan, np.nan)
                held += bool(low <= photons <= high)
            mean = f"{np.mean(errors):+.1f}" if errors else "-"
            print(
                f"{size:4d} {photons:7.0f} {len(errors):9d} {refused:8d} {mean:>13} "
                f"{held:3d}/{len(errors)}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
