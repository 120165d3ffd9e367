"""The low-quanta warning against the truth, on phantoms of known quanta (docs/model.md).

``--side`` (512) px SYNTHETIC chest phantoms (12 bits, MONOCHROME2, 7 units of line
integral over the stored range, as :func:`core.noise.phantom_image` makes them) at
``--photons`` quanta per unattenuated pixel and electronic noises of 4 quanta (seeds 0
and 1) and of ``--other-noise`` (seed 0), denoised at the default settings with the
shipped model (or ``--model``). Each row gives the share of the noise-free phantom's
pixels under 5 quanta and what the result's warning
(:attr:`core.denoise.DenoiseResult.low_quanta`) says of the quanta. A second table gives,
per case, the share of those pixels whose readings truly clip at least
:data:`core.denoise.low_quanta.CLIPPED_SHARE` of the time
(:func:`core.denoise.low_quanta.clipping_probability`, at the log's floor of one quantum or
the stored range's end where that comes first) and the share the warning counted so in
the input (``share_clipped``, also where it gave no warning). Then the same phantom at 5000
quanta behind lead shutters (bands on both sides at 9 units of line integral), whose anatomy
detects no pixel under 5 quanta, and the seconds the warning and its three parts take on
phantoms of 4 times the side (2048 x 2048; median of 3) at 500 quanta (many readings
clipped) and 2000 (a few, scattered)::

    python benchmarks/low_quanta_readings.py [--threads 2] [--model M]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

MAX_ATTENUATION = 7.0
TOP = 4095.0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photons", default="200,500,1000,2000,20000")
    parser.add_argument("--other-noise", default="0.5,8,16", help="electronic noises, seed 0")
    parser.add_argument("--side", type=int, default=512, help="phantom side (timing: 4 x)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, default=None)
    return parser.parse_args(argv)


def image_of(pixels: np.ndarray) -> object:
    """A 12-bit MONOCHROME2 image of ``pixels``."""
    from core.image import StoredMapping, Window, XrayImage

    return XrayImage(pixels.astype(np.float32), StoredMapping(12), Window(2048, 4096))


def truly_below_5(clean: np.ndarray, photons: float) -> float:
    """Share of a noise-free phantom's pixels that detect under 5 quanta on average."""
    attenuation = clean.astype(np.float64) / TOP * MAX_ATTENUATION
    return float(np.mean(photons * np.exp(-attenuation) < 5))


def truly_clipped(clean: np.ndarray, photons: float, electronic_noise: float) -> float:
    """Share of a noise-free phantom's pixels whose readings clip at least ``CLIPPED_SHARE``.

    The floor is one quantum, or the quanta at the stored range's end where more.
    """
    from core.denoise.low_quanta import CLIPPED_SHARE, clipping_probability

    floor = max(1.0, photons * np.exp(-MAX_ATTENUATION))
    levels, index = np.unique(clean, return_inverse=True)
    quanta = photons * np.exp(-levels.astype(np.float64) / TOP * MAX_ATTENUATION)
    clipped = clipping_probability(quanta, electronic_noise, floor=floor) >= CLIPPED_SHARE
    return float(np.mean(clipped[index]))


def said(result: object) -> str:
    """The warning's range of shares under 5 quanta (0 where it read none), or why none."""
    if result.low_quanta is not None:
        text = result.low_quanta.describe()
        return (
            text.split(" in about ")[1].split(" of the image")[0] if " in about " in text else "0 %"
        )
    return "none" if result.quanta_checked else "none (not checked: no log detector)"


def read_clipped(result: object, noisy: object) -> str:
    """The share the warning counts as clipped often, also where it gave no warning."""
    from core.denoise.low_quanta import low_quanta_warning, quanta_detectors

    detectors = quanta_detectors(noisy, result.noise_before)
    reading = low_quanta_warning(result.image, noisy, detectors, min_share=0.0)
    return "-" if reading is None else f"{100 * reading.share_clipped:.1f} %"


def shuttered(side: int, photons: float, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """The phantom behind lead bands on both sides; noisy pixels and the bands' share."""
    from core.noise import phantom_image

    slope = TOP / MAX_ATTENUATION
    attenuation = phantom_image((side, side), seed=0).astype(np.float64) / slope
    band = side // 16
    attenuation[:, :band] = attenuation[:, -band:] = 9.0
    quanta = photons * np.exp(-attenuation)
    counts = rng.poisson(quanta) + rng.normal(0.0, 4.0, quanta.shape)
    noisy = np.clip(np.round(-np.log(np.maximum(counts, 0.5) / photons) * slope), 0, TOP)
    return noisy, 2 * band / side


def seconds(call: Callable[..., object], *args: object, **kwargs: object) -> float:
    """Median wall time of three calls of ``call(*args, **kwargs)``."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        call(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table, the shutter case and the timings."""
    args = parse_args(argv)
    import torch

    from core.denoise import default_model_path, denoise_image, estimate_image_noise, open_model
    from core.denoise.low_quanta import (
        clipped_nearby,
        counted_pixels,
        low_quanta_warning,
        quanta_detectors,
    )
    from core.noise import phantom_image

    torch.set_num_threads(args.threads)
    path = args.model or default_model_path()
    model = open_model(path)
    side = args.side
    print(f"model {path}; {side} px phantoms, 12 bits, default settings\n")
    print("| quanta per unattenuated pixel | electronic noise | seed | truly under 5 | warning |")
    print("|---:|---:|---:|---:|---|")
    photons_list = [float(p) for p in args.photons.split(",")]
    cases = [(p, 4.0, seed) for p in photons_list for seed in (0, 1)]
    others = [float(e) for e in args.other_noise.split(",") if e]
    cases += [(p, e, 0) for e in others for p in photons_list]
    clean = {seed: phantom_image((side, side), seed=seed) for seed in (0, 1)}
    clipping_rows = []
    for photons, electronic, seed in cases:
        noisy = image_of(
            phantom_image(
                (side, side), photons_per_pixel=photons, electronic_noise=electronic, seed=seed
            )
        )
        result = denoise_image(noisy, model)
        truly = truly_below_5(clean[seed], photons)
        print(f"| {photons:g} | {electronic:g} | {seed} | {100 * truly:.1f} % | {said(result)} |")
        clipped = truly_clipped(clean[seed], photons, electronic)
        clipping_rows.append(
            f"| {electronic:g} | {photons:g} | {seed} | {100 * clipped:.1f} % | "
            f"{read_clipped(result, noisy)} | {'yes' if result.low_quanta else 'no'} |"
        )
    print(
        "\n| electronic noise | quanta per unattenuated pixel | seed | truly clipped 19 %+ "
        "| counted clipped 19 %+ | warned |"
    )
    print("|---:|---:|---:|---:|---:|---|")
    print("\n".join(clipping_rows))
    noisy, share = shuttered(side, 5000.0, np.random.default_rng(0))
    result = denoise_image(image_of(noisy), model)
    print(
        f"\n5000 quanta, lead shutters over {100 * share:.1f} % of the image, anatomy truly "
        f"{100 * truly_below_5(clean[0], 5000.0):.1f} % under 5: warning {said(result)}"
    )
    for photons in (500.0, 2000.0):  # many readings clipped; a few, scattered
        big = image_of(phantom_image((4 * side, 4 * side), photons_per_pixel=photons, seed=0))
        noise = estimate_image_noise(big)
        detectors = quanta_detectors(big, noise)
        reading = seconds(quanta_detectors, big, noise)
        counting = seconds(counted_pixels, big)
        counted = counted_pixels(big)
        clipping = seconds(clipped_nearby, big, counted, rising=True)
        warning = seconds(low_quanta_warning, big, big, detectors)
        print(
            f"{4 * side} x {4 * side} at {photons:g} quanta: quanta_detectors {reading:.3f} s, "
            f"counted_pixels {counting:.3f} s, clipped_nearby {clipping:.3f} s; "
            f"low_quanta_warning (all but quanta_detectors) {warning:.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
