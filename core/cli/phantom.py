"""``xray-denoise phantom OUT``: a synthetic chest radiograph with known ground truth."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from pydicom.uid import UID, JPEG2000Lossless, RLELossless

from core.cli.denoise_report import say
from core.display import auto_window
from core.io import MAX_DECODED_BYTES, make_folders_for, write_new_dicom
from core.noise import DEFAULT_ELECTRONIC_NOISE, phantom_image

SYNTHETIC_PATIENT_NAME = "SYNTHETIC^PHANTOM"
SYNTHETIC_PATIENT_ID = "SYNTHETIC"
TRANSFER_SYNTAXES = {"raw": None, "rle": RLELossless, "j2k": JPEG2000Lossless}
MIN_SIZE = 16
"""Smallest phantom side :func:`core.noise.phantom_image` renders."""
MAX_SIZE = math.isqrt(MAX_DECODED_BYTES // 4)
"""Largest phantom side: its frame, read as 32-bit floats, is the largest that ``read_image``
reads."""
MIN_J2K_SIZE = 32
"""Smallest side the JPEG 2000 encoder takes: OpenJPEG's six resolution levels halve it
five times. A smaller phantom is written RLE lossless (as lossless), and stderr says so."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``phantom`` subcommand."""
    parser = subparsers.add_parser(
        "phantom",
        help="write a SYNTHETIC chest radiograph (DICOM CR) with known ground truth",
        description="Render the Beer-Lambert chest phantom as a DICOM CR labelled SYNTHETIC: "
        "noise-free, or with the quantum and electronic noise of a given exposure.",
    )
    parser.add_argument("output", type=Path, metavar="OUT")
    parser.add_argument(
        "--size",
        type=int,
        default=1024,
        help=f"rows and columns, {MIN_SIZE} to {MAX_SIZE} (default 1024); under "
        f"{MIN_J2K_SIZE}, too small for JPEG 2000, RLE lossless is written instead",
    )
    parser.add_argument(
        "--photons",
        type=float,
        help="detected quanta per unattenuated pixel (default: none, a noise-free image)",
    )
    parser.add_argument(
        "--electronic-noise",
        type=float,
        help=f"electronic noise, quanta rms, with --photons (default {DEFAULT_ELECTRONIC_NOISE:g})",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of anatomy and noise (default %(default)s)"
    )
    parser.add_argument("--bits", type=int, default=12, help="BitsStored (default 12)")
    parser.add_argument(
        "--photometric",
        choices=("MONOCHROME2", "MONOCHROME1"),
        default="MONOCHROME2",
        help="MONOCHROME2 shows low values dark, MONOCHROME1 bright (default %(default)s)",
    )
    parser.add_argument(
        "--spacing",
        type=_spacing,
        default=0.4,
        help="pixel spacing in mm, positive (default 0.4)",
    )
    parser.add_argument(
        "--compression",
        choices=sorted(TRANSFER_SYNTAXES),
        default="j2k",
        help="lossless transfer syntax (default j2k: JPEG 2000 lossless)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    parser.set_defaults(run=run)


def _spacing(text: str) -> float:
    """Parse ``--spacing``: a positive, finite number of mm."""
    try:
        spacing = float(text)
    except ValueError:
        spacing = math.nan
    if not 0 < spacing < math.inf:
        raise argparse.ArgumentTypeError(f"expected a positive number of mm, got {text!r}")
    return spacing


def _transfer_syntax(args: argparse.Namespace) -> UID | None:
    """Return ``--compression``'s transfer syntax, RLE where JPEG 2000 cannot hold the size.

    None is the default (uncompressed). RLE for JPEG 2000 is said on stderr, in one line.
    """
    syntax = TRANSFER_SYNTAXES[args.compression]
    if syntax == JPEG2000Lossless and args.size < MIN_J2K_SIZE:
        print(
            f"xray-denoise: {args.output}: written RLE lossless, as JPEG 2000 "
            f"needs at least {MIN_J2K_SIZE} x {MIN_J2K_SIZE} pixels",
            file=sys.stderr,
        )
        return RLELossless
    return syntax


def run(args: argparse.Namespace) -> int:
    """Render and write the phantom, in new folders where need be."""
    if args.size > MAX_SIZE:
        raise ValueError(
            f"--size {args.size}: the phantom must be at most {MAX_SIZE} x {MAX_SIZE} pixels "
            "(the largest image xray-denoise reads)"
        )
    if args.size < MIN_SIZE:
        raise ValueError(
            f"--size {args.size}: the phantom must be at least {MIN_SIZE} x {MIN_SIZE} pixels"
        )
    if args.electronic_noise is not None and not args.photons:
        raise ValueError(
            "--electronic-noise needs --photons: without quanta the phantom is noise-free"
        )
    if args.electronic_noise is None:
        args.electronic_noise = DEFAULT_ELECTRONIC_NOISE
    stored = phantom_image(
        (args.size, args.size),
        bits_stored=args.bits,
        photometric=args.photometric,
        photons_per_pixel=args.photons,
        electronic_noise=args.electronic_noise,
        seed=args.seed,
    )
    exposure = (
        f"{args.photons:g} quanta/pixel, electronic noise {args.electronic_noise:g} quanta rms"
        if args.photons
        else "noise-free"
    )
    description = f"SYNTHETIC chest phantom (Beer-Lambert), {exposure}, seed {args.seed}"
    syntax = _transfer_syntax(args)
    make_folders_for(args.output)
    written = write_new_dicom(
        stored,
        args.output,
        photometric=args.photometric,
        bits_stored=args.bits,
        pixel_spacing=(args.spacing, args.spacing),
        patient_name=SYNTHETIC_PATIENT_NAME,
        patient_id=SYNTHETIC_PATIENT_ID,
        description=description,
        window=auto_window(stored.astype("float32")),
        overwrite=args.overwrite,
        **({"transfer_syntax": syntax} if syntax else {}),
    )
    say(f"{written}: {description}")
    return 0
