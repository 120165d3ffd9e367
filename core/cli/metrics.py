"""``xray-denoise metrics REFERENCE TEST``: MSE, PSNR and SSIM of TEST against REFERENCE.

It also estimates the reference's own noise and the PSNR the noise-free image would score
against it (:func:`core.metrics.noise_free_psnr`): what PSNR against a noisy reference
can show at most, give or take the noise a result keeps.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from core.io import read_image
from core.metrics import Region, compare, finite_or_none, noise_free_psnr
from core.noise import NoiseEstimate


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``metrics`` subcommand."""
    parser = subparsers.add_parser("metrics", help="MSE, PSNR and SSIM of TEST against REFERENCE")
    parser.add_argument("reference", type=Path, metavar="REFERENCE")
    parser.add_argument("test", type=Path, metavar="TEST")
    parser.add_argument(
        "--data-range",
        type=float,
        help="span of possible values (default: the reference's stored range, "
        "2**BitsStored - 1 for DICOM, the dtype maximum for PNG/TIFF, 1.0 for floats)",
    )
    parser.add_argument("--region", type=Region.parse, help="ROW,COL,HEIGHT,WIDTH (pixels)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the metrics; exit 2 on unreadable or mismatched images."""
    reference = read_image(args.reference)
    test = read_image(args.test)
    if reference.shape != test.shape:
        raise ValueError(
            f"{args.test}: size {test.shape[1]} x {test.shape[0]} differs from the reference's "
            f"{reference.shape[1]} x {reference.shape[0]}"
        )
    data_range = args.data_range if args.data_range is not None else reference.data_range
    padding = reference.padding_mask  # DICOM PixelPaddingValue: no anatomy, left out
    result = compare(
        reference.pixels,
        test.pixels,
        data_range=data_range,
        region=args.region,
        exclude=padding,
    )
    try:
        noise = NoiseEstimate.from_pixels(reference.pixels)
    except ValueError:
        noise = None
    floor = (
        None
        if noise is None
        else noise_free_psnr(
            reference.pixels,
            noise.sigma_at,
            data_range=data_range,
            region=args.region,
            exclude=padding,
        )
    )
    if args.json:
        values = result.to_dict()
        values["reference_noise"] = None if noise is None else noise.sigma
        values["noise_free_psnr"] = finite_or_none(floor)
        print(json.dumps(values))
        return 0
    region = f" in region {result.region.as_text()}" if result.region else ""
    print(f"MSE   {result.mse:.6g}")
    print(f"PSNR  {result.psnr:.2f} dB (data range {result.data_range:g}{region})")
    print(
        f"SSIM  {result.ssim:.4f}"
        if result.ssim_problem is None
        else f"SSIM  - ({result.ssim_problem})"
    )
    if result.excluded:
        print(f"({result.excluded} padding pixels of the reference left out)")
    if noise is None:
        print("the reference's own noise is not measurable")
    else:
        where = "the region" if result.region else "the image"
        rms = data_range / 10 ** (floor / 20) if math.isfinite(floor) else 0.0
        print(
            f"the reference's own noise: std {noise.sigma:.4g} (its estimate; it varies with "
            f"intensity, rms {rms:.4g} over {where}); against it the noise-free image would "
            f"score about {floor:.2f} dB{region}"
        )
    return 0
