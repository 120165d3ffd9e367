"""``xray-denoise info FILE...``: what an image is, and how noisy."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.cli.frames import frame_index, read_numbered
from core.display import window_function
from core.errors import XrayError
from core.image import VoiLut, XrayImage
from core.noise import NoiseEstimate, estimate_noise_sigma
from core.noise.value_range import value_range


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``info`` subcommand."""
    parser = subparsers.add_parser(
        "info", help="describe images: size, bits, photometric, window, noise level"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--frame",
        type=frame_index,
        default=0,
        metavar="N",
        help="frame (from 1, as DICOM numbers them) of a multi-frame DICOM or TIFF page "
        "(default 1)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per line")
    parser.set_defaults(run=run)


def describe(image: XrayImage) -> dict[str, Any]:
    """Summarise an image in plain values.

    Parameters
    ----------
    image : XrayImage

    Returns
    -------
    dict
        File, size, bits, photometric, modality, transfer syntax, what is shown by
        default (``default_view``: ``"window"``, or ``"voi_lut"`` for the first of
        ``voi_luts``), the image's window (:attr:`XrayImage.window`) with its VOI
        LUT function, every window the file names and every VOI LUT table it
        carries (explanation, number of entries, first input value and bits per
        entry), the pixel padding
        (its stored values and share of the pixels), the range of values after the
        rescale (``value_min``, ``value_max``: stored values times ``rescale_slope`` plus
        ``rescale_intercept``), and the noise as the denoiser
        estimates it (:meth:`NoiseEstimate.from_pixels`): the
        global noise standard deviation (in pixel units) and the noise model (the log
        detector fitted to the noise-level function where a radiograph's fits it,
        signal-independent noise where the fit would span too little attenuation,
        :meth:`core.noise.LogDetectorFit.span_problem`), or None for either where it
        cannot be measured (a flat or tiny image: ``noise_problem`` says why).
    """
    rows, cols = image.shape
    sigma, model, problem = _noise(image)
    meta = image.metadata
    return {
        "file": str(image.source_path),
        "format": image.source_format,
        "rows": rows,
        "columns": cols,
        "frames": image.n_frames,
        "bits_stored": image.mapping.bits_stored,
        "signed": image.mapping.signed,
        "photometric": image.photometric,
        "modality": meta.get("Modality"),
        "transfer_syntax": meta.get("TransferSyntaxName"),
        "pixel_spacing_mm": list(image.pixel_spacing) if image.pixel_spacing else None,
        "window_center": image.window.center,
        "window_width": image.window.width,
        "window_function": window_function(image, image.window),
        "file_windows": [
            {"center": w.center, "width": w.width, "explanation": w.explanation}
            for w in image.file_windows
        ],
        "default_view": "voi_lut" if isinstance(image.default_view, VoiLut) else "window",
        "voi_luts": [
            {
                "explanation": v.explanation,
                "entries": len(v.table),
                "first": v.first,
                "bits": v.bits,
            }
            for v in image.file_voi_luts
        ],
        "padding": None
        if image.padding is None
        else {
            "stored_values": [image.padding.first, image.padding.last],
            "pixels": int(image.padding.mask.sum()),
            "share": float(image.padding.mask.mean()),
        },
        "rescale_slope": image.mapping.slope,
        "rescale_intercept": image.mapping.intercept,
        "value_min": float(image.pixels.min()),
        "value_max": float(image.pixels.max()),
        "noise_sigma": sigma,
        "noise_model": model,
        "noise_problem": problem,
    }


def _noise(image: XrayImage) -> tuple[float | None, str | None, str | None]:
    """Global noise std, noise model, and why either is missing."""
    try:
        noise = NoiseEstimate.of_image(image)
    except ValueError as error:  # too flat or too small for the noise-level function
        try:
            return estimate_noise_sigma(image.pixels, exclude=image.padding_mask), None, None
        except ValueError:
            return None, None, str(error)
    return noise.sigma, _model(image, noise), None


def _model(image: XrayImage, noise: NoiseEstimate) -> str | None:
    """Describe the noise model: the log detector's where it is a radiograph's."""
    fit = noise.detector
    if fit is None:
        return None
    values = value_range(image)
    problem = fit.span_problem(values)
    if problem is None:
        return fit.describe()
    if fit.signal_independent(values):
        nlf = noise.nlf
        return (
            f"signal-independent, std {nlf.sigmas.min():.4g} to {nlf.sigmas.max():.4g} over "
            f"intensities {nlf.intensities[0]:.5g}-{nlf.intensities[-1]:.5g} ({problem})"
        )
    return f"no radiograph's log detector ({problem})"


def _window_text(summary: dict[str, Any]) -> str:
    """Describe what is shown by default, then the file's other windows and VOI LUTs.

    For example ``"center 2048, width 4096 (SIGMOID); also LUNG 1200/800, VOI LUT
    NORMAL (4096 entries, first 0, 16 bits)"``.
    """
    windows = [
        f"{w['explanation'] or 'window'} {w['center']:g}/{w['width']:g}"
        for w in summary["file_windows"]
    ]
    luts = [_voi_lut_text(v) for v in summary["voi_luts"]]
    if summary["default_view"] == "voi_lut":
        shown, others = luts[0], windows + luts[1:]
    else:
        shown = (
            f"center {summary['window_center']:g}, width {summary['window_width']:g} "
            f"({summary['window_function']})"
        )
        others = windows[1:] + luts
    return shown + (f"; also {', '.join(others)}" if others else "")


def _voi_lut_text(lut: dict[str, Any]) -> str:
    """Name a VOI LUT table, e.g. ``"VOI LUT NORMAL (4096 entries, first 0, 16 bits)"``."""
    name = f"VOI LUT {lut['explanation']}" if lut["explanation"] else "VOI LUT"
    return f"{name} ({lut['entries']} entries, first {lut['first']}, {lut['bits']} bits)"


def _padding_text(padding: dict[str, Any] | None) -> str:
    """Describe the pixel padding, e.g. ``"stored value 0, 31.2 % of the pixels"``."""
    if padding is None:
        return "none declared"
    first, last = padding["stored_values"]
    values = f"stored value {first}" if first == last else f"stored values {first}..{last}"
    return f"{values}, {100 * padding['share']:.1f} % of the pixels"


def _units(summary: dict[str, Any]) -> str:
    """Say what the values are: ``"rescaled: stored x 1 - 1024"``, or ``"stored values"``."""
    slope, intercept = summary["rescale_slope"], summary["rescale_intercept"]
    if (slope, intercept) == (1.0, 0.0):
        return "stored values"
    sign = "-" if intercept < 0 else "+"
    return f"rescaled: stored x {slope:g} {sign} {abs(intercept):g}"


def _as_text(summary: dict[str, Any]) -> str:
    spacing = summary["pixel_spacing_mm"]
    spacing_text = f"{spacing[0]:g} x {spacing[1]:g} mm" if spacing else "-"
    lines = [
        summary["file"],
        f"  size            {summary['columns']} x {summary['rows']} px"
        + (f", {summary['frames']} frames" if summary["frames"] > 1 else ""),
        f"  bits stored     {summary['bits_stored']}" + (" (signed)" if summary["signed"] else ""),
        f"  photometric     {summary['photometric']}",
        f"  modality        {summary['modality'] or '-'}",
        f"  transfer syntax {summary['transfer_syntax'] or '- (' + summary['format'] + ')'}",
        f"  pixel spacing   {spacing_text}",
        f"  window          {_window_text(summary)}",
        f"  padding         {_padding_text(summary['padding'])}",
        f"  values          {summary['value_min']:g} .. {summary['value_max']:g} "
        f"({_units(summary)})",
    ]
    if summary["noise_sigma"] is None:
        lines.append(f"  noise (est.)    not measurable: {summary['noise_problem']}")
    else:
        lines += [
            f"  noise (est.)    sigma {summary['noise_sigma']:.4g} (in the units of the values)",
            f"  noise model     {summary['noise_model'] or 'no log detector fits'}",
        ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print a summary of every file; exit 2 if any could not be read."""
    failures = 0
    # A bar over files only if there are several, and only on a terminal (disable=None).
    several = None if len(args.files) > 1 else True
    files = tqdm(args.files, desc="info", unit="file", disable=several, file=sys.stderr)
    for path in files:
        try:
            summary = describe(read_numbered(path, args.frame))
        except XrayError as error:
            tqdm.write(f"xray-denoise: error: {error}", file=sys.stderr)
            failures += 1
            continue
        tqdm.write(json.dumps(summary) if args.json else _as_text(summary), file=sys.stdout)
    return 2 if failures else 0
