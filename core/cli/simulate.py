"""``xray-denoise simulate INPUT --dose FRACTION --output OUT``: a lower dose of INPUT.

A PNG's or TIFF's description ends with the SHA-256 and frame of its input
(:mod:`core.io.source_record`), as a derived DICOM's SourceImageSequence references its
source. ``--json`` prints one record of the simulation instead of its description.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from core.cli.denoise_report import provenance, say
from core.cli.frames import frame_index, read_frame
from core.image import XrayImage
from core.io import make_folders_for, write_image
from core.io.dicom_write import OPERATION_MAX
from core.io.safe_text import text_safe
from core.io.sniff import FORMAT_NAMES
from core.io.source_record import records_by_description, source_record
from core.noise import (
    DEFAULT_MAX_ATTENUATION,
    LowDoseSettings,
    NoiseEstimate,
    describe_simulation,
    simulate_low_dose_image,
)
from core.noise.dose import (
    CompressedNoiseError,
    NoiseFreeInputError,
    dose_operation,
    monochrome2_twin,
)
from core.noise.electronic import electronic_noise_problem
from core.noise.lossy import lossy_compression
from core.noise.noise_free import noise_free_problem, noise_share
from core.noise.value_range import ValueRange, pixels_at_ends, value_range

#: File extensions of each format, for checking that OUT matches INPUT.
EXTENSIONS = {
    "dicom": {".dcm", ".dicom"},
    "png": {".png"},
    "tiff": {".tif", ".tiff"},
    "jpeg": {".png"},  # lossless: the simulated noise is not compressed away
    "npy": {".npy"},
}

MIN_PIXELS_TO_TELL = 192 * 192
"""Fewest pixels (not padding) whose noise tells a noise-free image from a noisy one where
the quanta cannot be measured; a smaller image is refused without ``--photons``.

On a small image the noise estimate takes texture for noise. Measured on 12-bit phantoms
(:func:`~core.noise.noise_free.noise_share` against the default 50,000 quanta; 40 seeds
at 176 to 256 px, 16 at 128 px, 4 at 64 px): noise-free ones held 0.0054-0.013 of that
variance at 192 px and 0.0026-0.0066 at 256 px, but up to 0.064 at 176 px, 0.30 at
128 px and 9.6 at 64 px, as much as noisy ones (0.40-47 at 128 px and 100,000 quanta,
0.50-72 at 64 px; ``benchmarks/results/2026-11-28-simulate-small/``)."""

UNMEASURED_NOISE_FREE_SHARE = 0.05
"""Share of the variance of the default quanta under which an image whose quanta cannot be
measured is refused as noise-free.

Measured as for :data:`MIN_PIXELS_TO_TELL` from 192 to 512 px: noise-free phantoms 0.013
or less (12 and 16 bits, MONOCHROME2 and 1; at 8 bits their rounding, 0.4-0.6 of it, is
refused by the measurement itself), noisy ones 0.27 or more at 100,000 quanta and 0.15 or
more at 200,000, so that only an image of about 20 times the default quanta or more, whose
noise is near a 12-bit image's rounding, is taken for noise-free (the share of
:data:`core.noise.noise_free.NOISE_FREE_SHARE`, 0.25, took most of those at 200,000)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand."""
    defaults = LowDoseSettings(dose=1.0)
    parser = subparsers.add_parser(
        "simulate",
        help="simulate a lower dose: Poisson quantum noise plus electronic noise",
        description="Simulate the same exposure at a fraction of the dose. A DICOM gives a "
        "derived DICOM; PNG and TIFF give the same format.",
    )
    parser.add_argument("input", type=Path, metavar="INPUT")
    parser.add_argument(
        "--dose", type=float, required=True, help="fraction of the original dose, in (0, 1]"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--photons",
        type=float,
        help="detected quanta per pixel at full dose without attenuation (default: measured "
        "from INPUT's own noise with the span of attenuation; where it cannot be, "
        f"{defaults.photons_per_pixel:g}, unless INPUT looks noise-free or is under "
        "192 x 192 pixels: then refused)",
    )
    parser.add_argument(
        "--electronic-noise",
        type=float,
        default=defaults.electronic_noise,
        help=f"electronic noise, quanta rms (default {defaults.electronic_noise:g})",
    )
    parser.add_argument(
        "--max-attenuation",
        type=float,
        help="line integral at the attenuating end of the stored range, with --photons "
        f"(default {defaults.max_attenuation:g})",
    )
    parser.add_argument(
        "--noise-free-input",
        action="store_true",
        help="INPUT has no noise of its own (a rendered phantom, as `xray-denoise phantom` "
        "writes without --photons): draw all the noise of the lower dose instead of thinning "
        "the quanta behind INPUT's noise; needs --photons",
    )
    parser.add_argument(
        "--frame",
        type=frame_index,
        metavar="N",
        help="frame (from 1, as DICOM numbers them) of a multi-frame DICOM or TIFF page "
        "(default 1, with a warning where there are more)",
    )
    parser.add_argument("--output", type=Path, required=True, metavar="OUT")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object instead of the description: provenance, input, its "
        "SHA-256 and frame, output, dose, quanta (measured or given), electronic noise, "
        "attenuation span, clipped pixels, seed and warnings",
    )
    parser.set_defaults(run=run)


def _warn(args: argparse.Namespace, warned: list[str], text: str) -> None:
    """Print a warning about the input on stderr, and keep it for ``--json``."""
    print(f"{args.input}: warning: {text}", file=sys.stderr)
    warned.append(text)


def _unmeasured_refusal(
    image: XrayImage,
    default: LowDoseSettings,
    noise: NoiseEstimate | None,
    values: ValueRange,
) -> str | None:
    """Say why an image whose quanta cannot be measured must not be thinned at the default.

    Thinning a noise-free image adds too little noise (:mod:`core.noise.noise_free`), and
    where the measurement is refused for another reason than rounding (its noise
    correlated, say: a small phantom's texture reads so) the image may still be one.
    `image` is the one measured (a MONOCHROME1 image's twin), `noise` its noise estimate
    (None where it could not be made) and `values` the range of values.

    Returns
    -------
    str or None
        Why not (too small to tell, :data:`MIN_PIXELS_TO_TELL`, or holding under
        :data:`UNMEASURED_NOISE_FREE_SHARE` of the default quanta's variance); None where
        it may be thinned at the default quanta, or its noise cannot be estimated at all.
    """
    padding = image.padding_mask
    pixels = image.pixels.size - (0 if padding is None else int(np.count_nonzero(padding)))
    if pixels < MIN_PIXELS_TO_TELL:
        rows, cols = image.pixels.shape
        kept = "" if padding is None else f", {pixels:,} of them not padding"
        side = math.isqrt(MIN_PIXELS_TO_TELL)
        return (
            f"at {rows} x {cols} pixels{kept} it is too small to tell whether it has noise of "
            f"its own (under {side} x {side}, a noise-free image's texture reads as noise)"
        )
    share = None if noise is None else noise_share(image, default, noise=noise, values=values)
    if share is None or share >= UNMEASURED_NOISE_FREE_SHARE:
        return None
    return (
        f"its noise is {100 * share:.2g} % of the variance "
        f"{default.photons_per_pixel:,.0f} quanta per pixel would give: it looks noise-free "
        "(or was taken at 20 times those quanta or more)"
    )


def _settings(
    args: argparse.Namespace, image: XrayImage, values: ValueRange, warned: list[str]
) -> LowDoseSettings:
    """Use the given detector, else the one measured from the image's noise, else the default.

    ``values`` is the image's range of values (:func:`value_range`), found once; the
    warnings given are added to `warned`.
    """
    if args.photons is None and args.max_attenuation is not None:
        raise ValueError(
            "--max-attenuation goes with --photons; without them both are measured from "
            f"{args.input}'s noise"
        )
    if args.photons is None and args.noise_free_input:
        raise ValueError(
            "--noise-free-input goes with --photons: a noise-free input has no noise to "
            "measure the quanta from"
        )
    if args.photons is not None:
        settings = LowDoseSettings(
            dose=args.dose,
            photons_per_pixel=args.photons,
            electronic_noise=args.electronic_noise,
            seed=args.seed,
            max_attenuation=(
                DEFAULT_MAX_ATTENUATION if args.max_attenuation is None else args.max_attenuation
            ),
            input_is_noisy=not args.noise_free_input,
        )
        problem = noise_free_problem(image, settings, values=values)
        if problem is not None:
            advice = "; give --noise-free-input if it is" if problem.looks_noise_free else ""
            _warn(args, warned, f"{problem.text}{advice}")
        return settings
    default = LowDoseSettings(
        dose=args.dose, electronic_noise=args.electronic_noise, seed=args.seed
    )  # bad settings first
    # A MONOCHROME1 image is measured, and judged, as its twin (measured_from): its noise is
    # estimated once, here.
    measured = monochrome2_twin(image, values) if image.photometric == "MONOCHROME1" else image
    noise = None
    try:
        noise = NoiseEstimate.of_image(measured)
        settings = LowDoseSettings.measured_from(
            measured,
            args.dose,
            electronic_noise=args.electronic_noise,
            seed=args.seed,
            noise=noise,
            values=values,
        )
    except CompressedNoiseError as error:
        raise ValueError(
            f"{args.input}: its quanta cannot be measured: {error}; give the quanta of the "
            "full dose it stands for: --photons N0"
        ) from error
    except NoiseFreeInputError as error:
        raise ValueError(
            f"{args.input}: {error}; give the quanta of the full dose it stands for: "
            "--photons N0 --noise-free-input"
        ) from error
    except ValueError as error:
        refused = _unmeasured_refusal(measured, default, noise, values)
        lossy = lossy_compression(image)
        if refused is not None and lossy is not None:  # not noise-free: compressed
            raise ValueError(
                f"{args.input}: its quanta cannot be measured from its noise, which lossy "
                f"compression ({lossy}) took out; give the quanta of the full dose it stands "
                "for: --photons N0"
            ) from error
        if refused is not None:
            raise ValueError(
                f"{args.input}: its quanta cannot be measured from its noise ({error}), and "
                f"{refused}; give the quanta of the full dose it stands for: --photons N0, "
                "with --noise-free-input if it has no noise of its own"
            ) from error
        _warn(
            args,
            warned,
            f"cannot measure the quanta from its noise ({error}); assuming "
            f"{default.photons_per_pixel:g} per pixel (give them with --photons)",
        )
        return default
    depends = electronic_noise_problem(measured, settings, noise=noise, values=values)
    if depends is not None:
        _warn(args, warned, f"{depends}, with --electronic-noise")
    return settings


def _record(
    args: argparse.Namespace,
    image: XrayImage,
    low_dose: XrayImage,
    settings: LowDoseSettings,
    values: ValueRange,
    sha256: str,
) -> dict[str, Any]:
    """Return the ``--json`` record of a simulation, without its output and warnings.

    `sha256` is the input file's SHA-256.

    Returns
    -------
    dict
        :func:`core.cli.denoise_report.provenance`, then ``input``, ``input_sha256``,
        ``frame`` (from 1), ``dose``, ``photons_per_pixel`` (at full dose behind no
        attenuation), ``photons_measured`` (from the input's noise, or given or
        assumed), ``photons_standard_error`` (``[low, high]`` within one standard error
        of a measurement, else None), ``electronic_noise`` (quanta rms),
        ``max_attenuation`` (the line integral at the attenuating end of
        ``value_range``: ``low``, ``high`` and ``description``), ``input_is_noisy``,
        ``clipped`` (pixels the simulation clipped at the ``low`` and ``high`` end of
        the range, not there in the input), ``input_at_ends`` (the input's pixels
        already there, simulated as holding exactly that end's quanta; both None for
        floating-point data, which are not clipped) and ``seed``.
    """
    integer = not image.mapping.is_float
    at_low, at_high = pixels_at_ends(low_dose, values, source=image) if integer else (None, None)
    before = pixels_at_ends(image, values) if integer else None
    return {
        **provenance(),
        "input": text_safe(str(args.input)),
        "input_sha256": sha256,
        "frame": image.frame + 1,
        "dose": settings.dose,
        "photons_per_pixel": settings.photons_per_pixel,
        "photons_measured": settings.measured,
        "photons_standard_error": (
            None if settings.photons_range is None else list(settings.photons_range)
        ),
        "electronic_noise": settings.electronic_noise,
        "max_attenuation": settings.max_attenuation,
        "value_range": {"low": values.low, "high": values.high, "description": values.describe()},
        "input_is_noisy": settings.input_is_noisy,
        "clipped": None if at_low is None else {"low": at_low, "high": at_high},
        "input_at_ends": None if before is None else {"low": before[0], "high": before[1]},
        "seed": settings.seed,
    }


def run(args: argparse.Namespace) -> int:
    """Simulate and write the result, in new folders where need be; on any error, no file.

    The description (or the ``--json`` record) is printed once the image is written: where
    stdout refuses it (:class:`~core.cli.denoise_report.StdoutError`), the image stays.
    """
    warned: list[str] = []
    image = read_frame(args.input, args.frame, done="simulated")
    if args.output.suffix.lower() not in EXTENSIONS[image.source_format]:
        raise ValueError(
            f"{args.output}: a {FORMAT_NAMES[image.source_format]} input is written as "
            + " or ".join(sorted(EXTENSIONS[image.source_format]))
        )
    values = value_range(image)  # one pass over the image, for every step below
    settings = _settings(args, image, values, warned)
    few = values.few_pixels_problem()
    if few is not None:
        _warn(args, warned, few)
    try:
        low_dose = simulate_low_dose_image(image, settings, values=values)
    except ValueError as error:  # the dose or the detector does not fit this image
        raise ValueError(f"{args.input}: {error}") from error
    description = describe_simulation(image, low_dose, settings, values=values)
    described = records_by_description(args.output)  # a PNG or TIFF: its source recorded
    sha256 = image.source_sha256 if described or args.json else ""  # of the bytes read
    record = _record(args, image, low_dose, settings, values, sha256) if args.json else None
    source = f"; {source_record(sha256, image.frame, simulated=True)}" if described else ""
    make_folders_for(args.output)
    written = write_image(
        low_dose,
        args.output,
        description=description + source,
        operation=dose_operation(settings.dose, OPERATION_MAX),
        dose=settings.dose,
        overwrite=args.overwrite,
    )
    if record is None:
        say(f"{written}: {description}")
    else:
        output = {"output": text_safe(str(written)), "description": description}
        say(json.dumps({**record, **output, "warnings": warned}))
    return 0
