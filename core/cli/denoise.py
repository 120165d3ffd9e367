"""``xray-denoise denoise INPUT... --output-dir DIR``: denoise images with the diffusion model.

Each INPUT gives ``DIR/<stem>.<same format>``: a DICOM a derived DICOM whose
DerivationDescription names the model, sampler, steps and noise estimate after the
source's; a 16-bit PNG a 16-bit PNG on the same scale; a TIFF a TIFF. With ``--frame all``
each frame gives ``DIR/<stem>_frame000.<format>``, ``_frame001`` and so on; the frames of
one DICOM form one new derived series, InstanceNumber 1 to N in frame order. Outputs are
written atomically and never over an input. The model, and torch with it, is loaded only
when the subcommand runs.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from pydicom.uid import generate_uid
from tqdm import tqdm

from core.errors import ImageWriteError, XrayError, XrayWarning, error_line, is_bad_input
from core.io import WRITTEN_AS

SAMPLERS = ("ddim", "ddpm")
ALL_FRAMES = "all"
BAR = "{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``denoise`` subcommand."""
    parser = subparsers.add_parser(
        "denoise",
        help="denoise images with the diffusion model (blind: the noise is estimated)",
        description="Denoise low-dose radiographs. The noise level is estimated from each "
        "image; DIR/<input stem>.<same format> is written for each INPUT "
        "(with --frame all, DIR/<input stem>_frameNNN.<format> for each frame, numbered "
        "from 000; the frames of a DICOM form one new derived series).",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    parser.add_argument("--output-dir", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--model", type=Path, metavar="M", help="model file (default: the shipped model)"
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help="reverse-diffusion steps (default 1: the posterior mean, fastest)",
    )
    parser.add_argument("--sampler", choices=SAMPLERS, default="ddim", help="default ddim")
    parser.add_argument("--seed", type=int, default=0, help="seed of the ddpm sampler")
    parser.add_argument(
        "--strength", type=float, default=1.0, help="noise level multiplier (default 1)"
    )
    parser.add_argument(
        "--views",
        type=int,
        default=None,
        help="average the prediction over 1, 2, 4 or 8 flipped/rotated views (default 4; "
        "each costs a full network evaluation, 1 is the fastest)",
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument(
        "--frame",
        type=_frame_choice,
        default=None,
        metavar="N|all",
        help="frame (from 0) of a multi-frame DICOM or page of a TIFF, or all of them "
        "(default: frame 0, with a warning where there are more)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.set_defaults(run=run)


def _frame_choice(text: str) -> int | str:
    """Parse ``--frame``: a frame number from 0, or ``all``."""
    if text == ALL_FRAMES:
        return text
    try:
        frame = int(text)
    except ValueError:
        frame = -1
    if frame < 0:
        raise argparse.ArgumentTypeError(f"expected a frame number from 0 or 'all', got {text!r}")
    return frame


def output_path(source: Path, source_format: str, folder: Path, frame: int | None = None) -> Path:
    """Where the denoised ``source`` goes: ``folder/<stem>.<same format>``.

    Parameters
    ----------
    source : Path
        The input file.
    source_format : str
        Its format (``XrayImage.source_format``).
    folder : Path
        The output folder.
    frame : int, optional
        A frame of a multi-frame input written on its own: ``<stem>_frame<frame>``,
        the frame zero-padded to three digits (``frame007``) so that names sort.

    Returns
    -------
    Path
        The input's own suffix where it names the format, else ``.dcm``, ``.png``
        (also for a JPEG), ``.tif`` or ``.npy``.
    """
    default = WRITTEN_AS[source_format]
    known = {"dicom": (".dcm", ".dicom"), "tiff": (".tif", ".tiff")}.get(source_format, ())
    suffix = source.suffix if source.suffix.lower() in known else default
    stem = source.stem if frame is None else f"{source.stem}_frame{frame:03d}"
    return folder / (stem + suffix)


def run(args: argparse.Namespace) -> int:
    """Denoise every input, going on past any that fails.

    Exit 2 if an input could not be read, denoised or written (bad input), 1 if one met
    an unexpected error (a bug), else 0.
    """
    from core.denoise import DenoiseResult, DenoiseSettings, TileProgress, denoise_steps, open_model
    from core.device import select_device
    from core.io import read_image, write_image

    chosen = {"n_steps": args.steps, "views": args.views}
    optional = {name: value for name, value in chosen.items() if value is not None}
    settings = DenoiseSettings(
        sampler=args.sampler,
        seed=args.seed,
        strength=args.strength,
        device=args.device,
        **optional,
    )
    if args.output_dir.exists() and not args.output_dir.is_dir():
        raise XrayError(f"{args.output_dir} is a file, not a folder; choose another --output-dir")
    model = open_model(args.model, device=select_device(settings.device))
    inputs = {path.resolve() for path in args.inputs}
    written: set[Path] = set()
    failures = crashes = 0
    # Progress bars show only on a terminal (disable=None), over files only if there are several.
    one_file = True if len(args.inputs) < 2 else None
    files = tqdm(args.inputs, desc="denoise", unit="file", disable=one_file)
    every_frame = args.frame == ALL_FRAMES
    for path in files:
        first = last = frame = 0 if every_frame or args.frame is None else args.frame
        series_uid = generate_uid()  # of the frames of a DICOM written with --frame all
        while frame <= last:
            try:
                with warnings.catch_warnings():
                    if frame > first:  # said for the first frame already (colour, say)
                        warnings.simplefilter("ignore", XrayWarning)
                    image = read_image(path, frame=frame)
                many = image.n_frames > 1
                if every_frame:
                    last = image.n_frames - 1
                elif many and args.frame is None:
                    tqdm.write(
                        f"xray-denoise: warning: {path} has {image.n_frames} frames; frame 0 "
                        "denoised (choose with --frame N, or --frame all)",
                        file=sys.stderr,
                    )
                destination = output_path(
                    path,
                    image.source_format,
                    args.output_dir,
                    frame if every_frame and many else None,
                )
                if destination.resolve() in inputs:
                    raise XrayError(
                        f"{path}: {destination} is an input; choose another --output-dir"
                    )
                if destination in written:
                    raise XrayError(f"{path}: {destination} was written for another input")
                if destination.exists() and not args.overwrite:  # before the time denoising takes
                    raise ImageWriteError(destination, "file exists (--overwrite replaces it)")
                destination.parent.mkdir(parents=True, exist_ok=True)  # only once there is work
                label = f"{path.name} frame {frame}" if many else path.name
                with tqdm(total=1.0, desc=label, leave=False, disable=None, bar_format=BAR) as bar:
                    for event in denoise_steps(image, model, settings, step_images=False):
                        if isinstance(event, TileProgress):
                            bar.update(event.fraction - bar.n)
                        elif isinstance(event, DenoiseResult):
                            result = event
                description = result.description()
                in_series = every_frame and many  # the frames of one source: one series
                write_image(
                    result.image,
                    destination,
                    description=description,
                    overwrite=args.overwrite,
                    series_uid=series_uid if in_series else None,
                    instance_number=frame + 1 if in_series else None,
                )
            except Exception as error:  # bad input or a bug: one line, and on to the rest
                reason = error_line(error)
                reason = reason if str(path) in reason else f"{path}: {reason}"
                tqdm.write(f"xray-denoise: error: {reason}", file=sys.stderr)
                if is_bad_input(error):
                    failures += 1
                else:
                    crashes += 1
            else:
                written.add(destination)
                tqdm.write(
                    f"{destination}: {description} ({result.seconds:.1f} s)", file=sys.stdout
                )
            frame += 1
    return 1 if crashes else 2 if failures else 0
