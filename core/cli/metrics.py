"""``xray-denoise metrics REFERENCE TEST``: MSE, PSNR and SSIM of TEST against REFERENCE.

It also estimates the reference's own noise and the PSNR the noise-free image would score
against it (:func:`core.metrics.noise_free_psnr`): what PSNR against a noisy reference
can show at most, give or take the noise a result keeps.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from core.cli.denoise_report import provenance, say
from core.cli.frames import frame_index, read_frame, read_numbered
from core.io import read_image
from core.io.safe_text import text_safe
from core.metrics import (
    Region,
    compare_keeping_small_region,
    finite_or_none,
    format_mse,
    format_psnr,
    format_ssim,
    noise_floor_exceeded,
    noise_free_psnr,
    padding_only_problem,
    reference_noise_problem,
    scale_mismatch,
)
from core.noise import NoiseEstimate
from core.noise.value_range import given_range_problem, metric_range, metric_range_problem

NOISE_UNITS = "pixel values"
"""What the reference's noise (its std, and the rms behind the noise-free PSNR) is in: the
pixel values after the modality LUT, as the data range and the MSE are, and as the app's
report names them."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``metrics`` subcommand."""
    parser = subparsers.add_parser("metrics", help="MSE, PSNR and SSIM of TEST against REFERENCE")
    parser.add_argument("reference", type=Path, metavar="REFERENCE")
    parser.add_argument("test", type=Path, metavar="TEST")
    parser.add_argument(
        "--data-range",
        type=float,
        help="span of possible values (default: the reference's stored range, "
        "2**bits - 1: a DICOM's BitsStored, a PNG's sBIT, else its dtype's bits, narrowed to "
        "the fewest bits, at least 8, holding its values where it has over 12 (12-bit data "
        "in a 16-bit file: 4095; the reference's alone, TEST's values beyond it warned of); "
        "for floats 1.0 where they lie in [0, 1], else the reference's maximum minus "
        "minimum); one below the data's largest value is warned of",
    )
    parser.add_argument(
        "--region",
        type=_region,
        help="ROW,COL,HEIGHT,WIDTH (pixels, ROW and COL from 0 at the top left; default: "
        "the whole image, padding left out)",
    )
    parser.add_argument(
        "--frame",
        type=frame_index,
        metavar="N",
        help="frame (from 1, as DICOM numbers them) of a multi-frame REFERENCE, and of TEST "
        "if it has frames (default 1, with a warning where there are more)",
    )
    parser.add_argument(
        "--test-frame",
        type=frame_index,
        metavar="M",
        help="another frame (from 1) of TEST than --frame (default: --frame's)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: schema_version, disclaimer, software, created, "
        "reference, reference_frame (from 1), reference_sha256, test, test_frame, test_sha256, "
        "scale_warning, data_range_warning, then the metrics, reference_noise, "
        "noise_free_psnr (null where unknown or infinite: noise_free_psnr_infinite), "
        "noise_free_rms and noise_free_psnr_problem",
    )
    parser.set_defaults(run=run)


def _region(text: str) -> Region:
    """Parse ``--region``, saying what is wrong with it (argparse's own message would not)."""
    try:
        return Region.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def run(args: argparse.Namespace) -> int:
    """Print the metrics; exit 2 on unreadable or mismatched images."""
    reference = read_frame(args.reference, args.frame, done="compared")
    test_frame = args.frame if args.test_frame is None else args.test_frame
    test = read_image(args.test)
    if test.n_frames > 1:
        test = read_frame(args.test, test_frame, done="compared", image=test)
    elif args.test_frame is not None:
        test = read_numbered(args.test, args.test_frame)  # refused past its one frame
    if reference.shape != test.shape:
        raise ValueError(
            f"{args.test}: size {test.shape[1]} x {test.shape[0]} differs from the reference's "
            f"{reference.shape[1]} x {reference.shape[0]}"
        )
    scale_warning = scale_mismatch(reference, test)
    if scale_warning is not None:
        print(f"{args.test}: warning: {scale_warning}", file=sys.stderr)
    padding = reference.padding_mask  # DICOM PixelPaddingValue: no anatomy, left out
    nothing = padding_only_problem(padding, region=args.region)
    if nothing is not None:
        raise ValueError(f"{args.reference}: {nothing}")
    if args.data_range is None:
        data_range, words = metric_range(reference)  # the reference's alone: one scale
        source = f"the reference's {words}"
        range_warning = metric_range_problem(reference, test)  # a hot pixel setting it, say
    else:
        data_range, source = args.data_range, "given"
        range_warning = given_range_problem(data_range, reference, test)
    result = compare_keeping_small_region(  # refuses a data range out of reach first
        reference.pixels, test.pixels, data_range=data_range, region=args.region, exclude=padding
    )
    if range_warning is not None:
        print(f"{args.reference}: warning: {range_warning}", file=sys.stderr)
    try:
        noise = NoiseEstimate.of_image(reference)
    except ValueError:
        noise = None
    floor = problem = None
    if noise is not None:
        whole = noise_free_psnr(
            reference.pixels, noise.sigma_at, data_range=data_range, exclude=padding
        )
        problem = reference_noise_problem(
            reference.pixels, noise, whole_psnr=whole, data_range=data_range
        )
    if noise is not None and problem is None:
        floor = (
            whole
            if args.region is None
            else noise_free_psnr(
                reference.pixels,
                noise.sigma_at,
                data_range=data_range,
                region=args.region,
                exclude=padding,
            )
        )
    rms = None
    if floor is not None:
        problem = noise_floor_exceeded(floor, [result.psnr])  # a noise-free reference's
        floor = None if problem else floor
    if floor is not None:
        rms = data_range / 10 ** (floor / 20) if math.isfinite(floor) else 0.0
    if args.json:
        values = {
            **provenance(),
            "reference": text_safe(str(args.reference)),
            "reference_frame": (args.frame or 0) + 1,
            "reference_sha256": reference.source_sha256,  # of the bytes read, as compared
            "test": text_safe(str(args.test)),
            "test_frame": ((test_frame or 0) if test.n_frames > 1 else 0) + 1,
            "test_sha256": test.source_sha256,
            "scale_warning": scale_warning,
            "data_range_warning": range_warning,
        }
        values.update(result.to_dict())
        values["data_range_source"] = source
        values["reference_noise"] = None if noise is None else noise.sigma
        values["noise_free_psnr"] = finite_or_none(floor)
        values["noise_free_psnr_infinite"] = floor == math.inf
        values["noise_free_rms"] = rms
        values["noise_free_psnr_problem"] = problem
        say(json.dumps(values))
        return 0
    region = f" in region {result.region.as_text()}" if result.region else ""
    say(f"MSE   {format_mse(result.mse)}")
    say(f"PSNR  {format_psnr(result.psnr)} dB (data range {result.data_range:g}, {source}{region})")
    say(
        f"SSIM  {format_ssim(result.ssim)}"
        if result.ssim_problem is None
        else f"SSIM  - ({result.ssim_problem})"
    )
    if result.excluded:
        say(f"({result.excluded} padding pixels of the reference left out)")
    if noise is None:
        say("the reference's own noise is not measurable")
    elif problem:
        say(
            f"the reference's own noise, in {NOISE_UNITS}: std {noise.sigma:.4g} (its "
            f"estimate); the noise-free image's PSNR against it is unknown: {problem}"
        )
    else:
        where = "the region" if result.region else "the image"
        say(
            f"the reference's own noise, in {NOISE_UNITS}: std {noise.sigma:.4g} (its "
            f"estimate; it varies with intensity, rms {rms:.4g} over {where}); against it the "
            f"noise-free image would score about {format_psnr(floor)} dB{region}"
        )
    return 0
