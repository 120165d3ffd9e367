"""``xray-denoise simulate INPUT --dose FRACTION --output OUT``: a lower dose of INPUT."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.frames import frame_index, read_frame
from core.image import XrayImage
from core.io import write_image
from core.io.sniff import FORMAT_NAMES
from core.noise import (
    DEFAULT_MAX_ATTENUATION,
    LowDoseSettings,
    NoiseEstimate,
    describe_simulation,
    simulate_low_dose_image,
)
from core.noise.dose import NoiseFreeInputError
from core.noise.electronic import electronic_noise_problem
from core.noise.noise_free import noise_free_problem
from core.noise.value_range import ValueRange, value_range

#: File extensions of each format, for checking that OUT matches INPUT.
EXTENSIONS = {
    "dicom": {".dcm", ".dicom"},
    "png": {".png"},
    "tiff": {".tif", ".tiff"},
    "jpeg": {".png"},  # lossless: the simulated noise is not compressed away
    "npy": {".npy"},
}


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
        f"{defaults.photons_per_pixel:g})",
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
    parser.set_defaults(run=run)


def _settings(args: argparse.Namespace, image: XrayImage, values: ValueRange) -> LowDoseSettings:
    """Use the given detector, else the one measured from the image's noise, else the default.

    ``values`` is the image's range of values (:func:`value_range`), found once.
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
            print(f"{args.input}: warning: {problem.text}{advice}", file=sys.stderr)
        return settings
    default = LowDoseSettings(
        dose=args.dose, electronic_noise=args.electronic_noise, seed=args.seed
    )  # bad settings first
    try:
        noise = NoiseEstimate.of_image(image)
        settings = LowDoseSettings.measured_from(
            image,
            args.dose,
            electronic_noise=args.electronic_noise,
            seed=args.seed,
            noise=noise,
            values=values,
        )
    except NoiseFreeInputError as error:
        raise ValueError(
            f"{args.input}: {error}; give the quanta of the full dose it stands for: "
            "--photons N0 --noise-free-input"
        ) from error
    except ValueError as error:
        print(
            f"{args.input}: warning: cannot measure the quanta from its noise ({error}); "
            f"assuming {default.photons_per_pixel:g} per pixel (give them with --photons)",
            file=sys.stderr,
        )
        return default
    depends = electronic_noise_problem(image, settings, noise=noise, values=values)
    if depends is not None:
        print(f"{args.input}: warning: {depends}, with --electronic-noise", file=sys.stderr)
    return settings


def run(args: argparse.Namespace) -> int:
    """Simulate and write the result; nothing is written on any error."""
    image = read_frame(args.input, args.frame, done="simulated")
    if args.output.suffix.lower() not in EXTENSIONS[image.source_format]:
        raise ValueError(
            f"{args.output}: a {FORMAT_NAMES[image.source_format]} input is written as "
            + " or ".join(sorted(EXTENSIONS[image.source_format]))
        )
    values = value_range(image)  # one pass over the image, for every step below
    settings = _settings(args, image, values)
    few = values.few_pixels_problem()
    if few is not None:
        print(f"{args.input}: warning: {few}", file=sys.stderr)
    try:
        low_dose = simulate_low_dose_image(image, settings, values=values)
    except ValueError as error:  # the dose or the detector does not fit this image
        raise ValueError(f"{args.input}: {error}") from error
    description = describe_simulation(image, low_dose, settings, values=values)
    written = write_image(
        low_dose,
        args.output,
        description=description,
        operation=f"simulated {settings.dose * 100:g} % dose",
        dose=settings.dose,
        overwrite=args.overwrite,
    )
    print(f"{written}: {description}")
    return 0
