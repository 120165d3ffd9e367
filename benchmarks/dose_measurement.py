"""How well the quanta measured from an image's own noise simulate a lower dose.

Phantoms (:func:`core.noise.phantom_image`) taken at a known exposure stand in for
real radiographs. Each is simulated at lower doses with the quanta measured from its
noise (:meth:`core.noise.LowDoseSettings.measured_from`, its true electronic noise
given) and with the assumed default detector. The script prints, per phantom and dose,
the measured quanta and how far each simulation's PSNR against the noise-free phantom
lies from that of the same phantom taken at that dose (0 dB: the right noise)::

    python benchmarks/dose_measurement.py [--sizes 512,768,1024] [--seeds 0,1,2]
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import (
    DEFAULT_ELECTRONIC_NOISE,
    LowDoseSettings,
    phantom_image,
    simulate_low_dose_image,
)

TOP = 4095.0
"""The 12-bit phantoms' stored maximum: PSNR on a [0, 1] scale."""


def psnr(clean: np.ndarray, test: np.ndarray) -> float:
    """PSNR in dB of ``test`` against ``clean`` on a [0, 1] scale."""
    error = (np.asarray(test, np.float64) - np.asarray(clean, np.float64)) / TOP
    return 10.0 * math.log10(1.0 / float(np.mean(error * error)))


def as_image(stored: np.ndarray) -> XrayImage:
    """Wrap a 12-bit MONOCHROME2 phantom as an image."""
    return XrayImage(
        pixels=stored.astype(np.float32),
        mapping=StoredMapping(bits_stored=12),
        window=Window(TOP / 2, TOP + 1),
        photometric="MONOCHROME2",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print one line per phantom and dose; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="512,768,1024", help="phantom sides, comma-separated")
    parser.add_argument("--seeds", default="0,1,2", help="phantom seeds, comma-separated")
    parser.add_argument("--photons", type=float, default=20_000.0, help="the full exposure")
    parser.add_argument("--doses", default="0.25,0.1", help="simulated dose fractions")
    args = parser.parse_args(argv)
    doses = [float(d) for d in args.doses.split(",")]
    print("size seed  measured quanta  dose  taken-at-dose dB  measured dB  assumed dB")
    for size in (int(s) for s in args.sizes.split(",")):
        for seed in (int(s) for s in args.seeds.split(",")):
            clean = phantom_image((size, size), seed=seed)
            image = as_image(phantom_image((size, size), photons_per_pixel=args.photons, seed=seed))
            for dose in doses:
                measured = LowDoseSettings.measured_from(
                    image, dose, electronic_noise=DEFAULT_ELECTRONIC_NOISE, seed=1
                )
                truth = psnr(
                    clean,
                    phantom_image((size, size), photons_per_pixel=args.photons * dose, seed=seed),
                )
                ours = psnr(clean, simulate_low_dose_image(image, measured).pixels)
                assumed = psnr(
                    clean, simulate_low_dose_image(image, LowDoseSettings(dose, seed=1)).pixels
                )
                print(
                    f"{size:4d} {seed:4d} {measured.photons_per_pixel:16.0f} {dose:5.2f} "
                    f"{truth:17.2f} {ours - truth:+12.2f} {assumed - truth:+11.2f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
