"""Quanta measured from a phantom stored MONOCHROME2 and as its mirror, MONOCHROME1.

From the repository root (or with PYTHONPATH at another checkout, to run its code)::

    python benchmarks/results/2026-11-28-monochrome1/m1_twin.py [SEEDS]

16 seeds of the 512 px SYNTHETIC phantom at 5,000 and 20,000 quanta per unattenuated
pixel (12 bits); the MONOCHROME1 image is ``4095 - stored``, the same exposure.
"""

import sys

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image

seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 16
for photons in (5_000.0, 20_000.0):
    for photometric in ("MONOCHROME2", "MONOCHROME1"):
        ratios, held = [], 0
        for seed in range(seeds):
            stored = phantom_image((512, 512), photons_per_pixel=photons, seed=seed)
            values = stored if photometric == "MONOCHROME2" else 4095 - stored.astype(np.int64)
            image = XrayImage(
                values.astype(np.float32), StoredMapping(12), Window(2048, 4096), photometric
            )
            measured = LowDoseSettings.measured_from(image, 0.5)
            ratios.append(measured.photons_per_pixel / photons)
            low, high = measured.photons_range
            held += low <= photons <= high
        print(
            f"{photons:g} quanta, {photometric}: measured / true mean {np.mean(ratios):.3f} "
            f"(min {min(ratios):.3f}, max {max(ratios):.3f}, below 1 in "
            f"{sum(r < 1 for r in ratios)}/{seeds}); one-standard-error range holds the truth "
            f"{held}/{seeds}"
        )
