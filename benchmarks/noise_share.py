"""Share of the predicted variance images hold, behind the thresholds of the noise check.

``xray-denoise simulate --photons N`` warns where an image's noise does not fit the
entered quanta (:func:`core.noise.noise_free.noise_free_problem`). The script measures,
with the functions it uses (:func:`core.noise.noise_free.noise_share`, the span tilt and
the rounding test beside it), each quantity the docstrings of its thresholds quote, on
phantoms (:func:`core.noise.phantom_image`, which ``xray-denoise phantom`` writes, at
electronic noise 4), wrapped as ``simulate`` reads such a DICOM (MONOCHROME2, 12 bits
unless the ``bits`` column says otherwise):

- ``own quanta``: phantoms taken at the entered quanta, per side and exposure, and per
  side over all exposures (``all``);
- ``wrong quanta``: a ``--side`` phantom taken at ``--taken`` quanta, entered with others;
- ``wrong span``: the same phantom entered with its quanta and other attenuation spans;
- ``noise-free``: the phantom without noise at 8, 12 and 16 bits and a smooth synthetic
  image (one, no seed), entered at ``--entered`` quanta; the noise-free phantom at the
  other sides entered at ``--taken``.

Each row gives the range over the seeds of the share (estimated over predicted
variance, the count-weighted median over the noise-level bins), of the tilt (the share
in the upper half of the intensities over the lower half's; ``none``: too few
intensities) and how many images hold noise beyond rounding. Spans over 20 are refused
since 2026-11-27 (:data:`core.noise.dose.MAX_ATTENUATION`); the run in
``benchmarks/results/2026-11-27-noise-share/`` was made before, with a span of 100::

    python benchmarks/noise_share.py [--sizes 128,256,384,512] [--photons 2000,20000,100000]
        [--seeds 8] [--side 512] [--taken 20000] [--wrong 2000,40000,200000]
        [--spans 0.5,2,3.5,5,7,10,14,20] [--entered 100,1000,10000,20000,100000,1000000]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import (
    DEFAULT_ELECTRONIC_NOISE,
    DEFAULT_MAX_ATTENUATION,
    LowDoseSettings,
    NoiseEstimate,
    phantom_image,
)
from core.noise.noise_free import beyond_rounding, noise_share, span_tilt
from core.noise.value_range import ValueRange, value_range

HEADER = (
    "| case | side | bits | taken at | entered | span | seeds | share | tilt | beyond rounding |"
)
RULE = "|---|---:|---:|---:|---:|---:|---:|---|---|---:|"

Result = tuple[float | None, float | None, bool]
"""Share, tilt and whether the noise is beyond rounding, of one image."""


class Measured:
    """An image with its noise estimate and range of values, made once for every setting."""

    def __init__(self, stored: np.ndarray, bits: int) -> None:
        top = 2**bits - 1
        self.image = XrayImage(
            pixels=stored.astype(np.float32),
            mapping=StoredMapping(bits_stored=bits),
            window=Window((top + 1) / 2, top + 1),
            photometric="MONOCHROME2",
        )
        self.values: ValueRange = value_range(self.image)
        self.noise: NoiseEstimate = NoiseEstimate.of_image(self.image)

    def measure(self, photons: float, span: float) -> Result:
        """Share, tilt and rounding test for the quanta and span entered, as simulate finds them."""
        settings = LowDoseSettings(
            dose=1.0,
            photons_per_pixel=photons,
            electronic_noise=DEFAULT_ELECTRONIC_NOISE,
            max_attenuation=span,
        )
        share = noise_share(self.image, settings, noise=self.noise, values=self.values)
        tilt = span_tilt(self.image, settings, self.noise, self.values)
        return share, tilt, beyond_rounding(self.image, self.noise)


def spread(values: Sequence[float | None]) -> str:
    """``low to high`` of the values that are not None, and how many are None."""
    known = [v for v in values if v is not None]
    if not known:
        return "none"
    low, high = min(known), max(known)
    text = f"{low:.3g}" if f"{low:.3g}" == f"{high:.3g}" else f"{low:.3g} to {high:.3g}"
    missing = len(values) - len(known)
    return f"{text} ({missing} none)" if missing else text


def row(
    case: str, side: int, bits: int, taken: str, entered: str, span: float, results: list[Result]
) -> str:
    """One table row from ``(share, tilt, beyond rounding)`` of each image."""
    shares, tilts, noisy = zip(*results, strict=True)
    return (
        f"| {case} | {side} | {bits} | {taken} | {entered} | {span:g} | {len(results)} | "
        f"{spread(shares)} | {spread(tilts)} | {sum(noisy)}/{len(results)} |"
    )


def smooth_image(side: int) -> np.ndarray:
    """A smooth 12-bit synthetic image without noise (the one the noise-check tests use)."""
    y, x = np.mgrid[0:side, 0:side]
    return np.rint(200 + 3500 * (0.5 + 0.5 * np.sin(x / 60.0) * np.cos(y / 80.0)))


def numbers(kind: type, text: str) -> list:
    """Comma-separated positive numbers."""
    values = [kind(part) for part in text.split(",")]
    if not values or min(values) <= 0:
        raise ValueError(f"expected positive numbers, got {text!r}")
    return values


def main(argv: Sequence[str] | None = None) -> int:
    """Print the markdown table; return 0 (bad options exit with 2, as argparse does)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="128,256,384,512", help="phantom sides, own quanta")
    parser.add_argument("--photons", default="2000,20000,100000", help="quanta, own quanta")
    parser.add_argument("--seeds", type=int, default=8, help="phantoms (seeds 0..N-1) per row")
    parser.add_argument("--side", type=int, default=512, help="side of the other cases")
    parser.add_argument("--taken", type=float, default=20_000.0, help="quanta, other cases")
    parser.add_argument("--wrong", default="2000,40000,200000", help="quanta entered instead")
    parser.add_argument("--spans", default="0.5,2,3.5,5,7,10,14,20", help="spans entered")
    parser.add_argument(
        "--entered", default="100,1000,10000,20000,100000,1000000", help="quanta, noise-free"
    )
    args = parser.parse_args(argv)
    try:
        sizes = numbers(int, args.sizes)
        photons = numbers(float, args.photons)
        wrong = numbers(float, args.wrong)
        spans = numbers(float, args.spans)
        entered = numbers(float, args.entered)
        if min(sizes + [args.side]) < 16 or args.seeds < 1 or args.taken <= 0:
            raise ValueError("sides are at least 16, --seeds and --taken positive")
    except ValueError as error:
        parser.error(str(error))
    seeds = range(args.seeds)
    span = DEFAULT_MAX_ATTENUATION

    def phantoms(side: int, quanta: float | None, bits: int = 12) -> list[Measured]:
        return [
            Measured(
                phantom_image((side, side), bits_stored=bits, photons_per_pixel=quanta, seed=seed),
                bits,
            )
            for seed in seeds
        ]

    print(HEADER)
    print(RULE, flush=True)
    for side in sizes:
        every = []
        for quanta in photons:
            results = [m.measure(quanta, span) for m in phantoms(side, quanta)]
            every += results
            print(row("own quanta", side, 12, f"{quanta:g}", f"{quanta:g}", span, results))
        if len(photons) > 1:
            print(row("own quanta", side, 12, "all", "all", span, every), flush=True)
    noisy = phantoms(args.side, args.taken)
    for quanta in wrong:
        results = [m.measure(quanta, span) for m in noisy]
        print(row("wrong quanta", args.side, 12, f"{args.taken:g}", f"{quanta:g}", span, results))
    for other in spans:
        results = [m.measure(args.taken, other) for m in noisy]
        print(
            row("wrong span", args.side, 12, f"{args.taken:g}", f"{args.taken:g}", other, results)
        )
    for bits in (8, 12, 16):
        clean = phantoms(args.side, None, bits)
        for quanta in entered:
            results = [m.measure(quanta, span) for m in clean]
            print(row("noise-free", args.side, bits, "-", f"{quanta:g}", span, results))
    smooth = Measured(smooth_image(args.side), 12)
    for quanta in entered:
        results = [smooth.measure(quanta, span)]
        print(row("noise-free smooth", args.side, 12, "-", f"{quanta:g}", span, results))
    for side in sizes:
        if side != args.side:
            results = [m.measure(args.taken, span) for m in phantoms(side, None)]
            print(row("noise-free", side, 12, "-", f"{args.taken:g}", span, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
