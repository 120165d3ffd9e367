"""``xray-denoise info FILE...``: what an image is, and how noisy.

The noise model's numbers are the parameters of a curve fitted to the image's noise, not
a calibration of its detector: the slope, the quanta and the electronic noise trade
against one another along the curve, and may be far from the detector's own while the
curve fits within a few per cent. The quanta behind the image, where its noise tells
them, are measured as ``simulate`` measures them (:meth:`LowDoseSettings.measured_from`),
with their standard error; where it does not, the reason is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.cli.denoise_report import provenance, say
from core.cli.frames import frame_index, read_numbered
from core.display import window_function
from core.errors import XrayError, issue_warning, printable
from core.image import VoiLut, XrayImage
from core.io.dicom_read import MODALITY_LUT_INPUT_BITS, MODALITY_LUT_TYPE
from core.io.safe_text import text_safe
from core.noise import (
    DEFAULT_ELECTRONIC_NOISE,
    LowDoseSettings,
    NoiseEstimate,
    estimate_noise_sigma,
)
from core.noise.lossy import lossy_warning
from core.noise.value_range import ValueRange, value_range

FIT_NOT_CALIBRATION = "a fit to the noise, not a detector calibration"
"""What the text says of the log detector's numbers: the slope, quanta and electronic noise
of the curve fitted to the noise trade against one another, and may each be far from the
detector's own (twice the quanta, say) while the curve fits within a few per cent."""


LOG_DETECTOR_FIT = "log detector fit"
"""``noise_model_kind`` of a :class:`core.noise.LogDetectorFit` whose span is a radiograph's:
the text output says its numbers are a fit (:data:`FIT_NOT_CALIBRATION`)."""
SIGNAL_INDEPENDENT = "signal-independent"
"""``noise_model_kind`` of noise that does not vary with the signal."""
NO_RADIOGRAPH_DETECTOR = "no radiograph's log detector"
"""``noise_model_kind`` of a fit whose attenuation span no radiograph has."""


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
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per line, after the provenance of denoise's and "
        "metrics' records, with the file's SHA-256 and the frame described",
    )
    parser.set_defaults(run=run)


def describe(image: XrayImage) -> dict[str, Any]:
    """Summarise an image in plain values.

    Parameters
    ----------
    image : XrayImage

    Returns
    -------
    dict
        File, ``frame`` (from 1, as DICOM numbers frames) of ``frames``, size, bits
        (``bits_stored``: the file's BitsStored, also where a Modality LUT Sequence was
        applied, whose unit is then ``modality_lut_type``, else None), photometric,
        modality, transfer syntax, pixel spacing in mm (``pixel_spacing_mm``: between
        rows, then between columns, as DICOM's PixelSpacing; None where unknown), what is
        shown by default
        (``default_view``: ``"window"``, or ``"voi_lut"`` for the first of
        ``voi_luts``), the image's window (:attr:`XrayImage.window`) with its VOI LUT
        function, every window the file names and every VOI LUT table it carries
        (explanation, number of entries, first input value and bits per entry), the
        pixel padding (its stored values and share of the pixels), the range of the
        values that are not padding after the rescale (``value_min``, ``value_max``:
        stored values times ``rescale_slope`` plus ``rescale_intercept``; None where
        every pixel is padding), and the noise as the denoiser estimates it
        (:meth:`NoiseEstimate.from_pixels`): the global noise standard deviation (in
        pixel units) and the noise model (the log detector fitted to the
        noise-level function where a radiograph's fits it: the fit's parameters,
        not a calibration of the detector; signal-independent noise where the fit
        would span too little attenuation,
        :meth:`core.noise.LogDetectorFit.span_problem`), or None for either where it
        cannot be measured (a flat or tiny image: ``noise_problem`` says why). Then
        ``measured_quanta``, the quanta per pixel at full dose behind no attenuation
        as ``simulate`` measures them (:meth:`LowDoseSettings.measured_from`):
        ``per_pixel``, ``standard_error`` (``[low, high]``, one standard error) and
        ``electronic_noise_assumed`` (quanta rms), or None where the noise does not
        tell them, ``measured_quanta_problem`` saying why.
    """
    rows, cols = image.shape
    meta = image.metadata
    data = image.pixels if image.padding is None else image.pixels[~image.padding.mask]
    return {
        "file": text_safe(str(image.source_path)),
        "format": image.source_format,
        "rows": rows,
        "columns": cols,
        "frame": image.frame + 1,
        "frames": image.n_frames,
        "bits_stored": meta.get(MODALITY_LUT_INPUT_BITS, image.mapping.bits_stored),
        "modality_lut_type": meta.get(MODALITY_LUT_TYPE),
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
        "value_min": float(data.min()) if data.size else None,
        "value_max": float(data.max()) if data.size else None,
        **_noise(image),
    }


def _noise(image: XrayImage) -> dict[str, Any]:
    """Global noise std, noise model, measured quanta, and why any is missing.

    The keys ``noise_sigma``, ``noise_model``, ``noise_model_kind`` (None,
    :data:`LOG_DETECTOR_FIT`, :data:`SIGNAL_INDEPENDENT` or
    :data:`NO_RADIOGRAPH_DETECTOR`), ``noise_problem``, ``measured_quanta`` and
    ``measured_quanta_problem`` of :func:`describe`.
    """
    try:
        noise = NoiseEstimate.of_image(image)
    except ValueError as error:  # too flat or too small for the noise-level function
        try:
            sigma = estimate_noise_sigma(image.pixels, exclude=image.padding_mask)
        except ValueError:
            sigma = None
        return {
            "noise_sigma": sigma,
            "noise_model": None,
            "noise_model_kind": None,
            "noise_problem": None if sigma is not None else str(error),
            "measured_quanta": None,
            "measured_quanta_problem": str(error),
        }
    warning = lossy_warning(image, noise.sigma)  # the estimate reads low: said as denoise says it
    if warning is not None:
        issue_warning(warning)
    values = value_range(image)
    quanta, why_not = _quanta(image, noise, values)
    kind, model = _model(noise, values)
    return {
        "noise_sigma": noise.sigma,
        "noise_model": model,
        "noise_model_kind": kind,
        "noise_problem": None,
        "measured_quanta": quanta,
        "measured_quanta_problem": why_not,
    }


def _quanta(
    image: XrayImage, noise: NoiseEstimate, values: ValueRange
) -> tuple[dict[str, Any] | None, str | None]:
    """Measure the quanta behind the image as ``simulate`` does, or say why they cannot be.

    `noise` (needed for the noise model anyway) is not used for a MONOCHROME1 image, which
    is measured as its MONOCHROME2 twin (:meth:`LowDoseSettings.measured_from`).

    Returns
    -------
    measured : dict or None
        ``per_pixel`` (at full dose behind no attenuation), ``standard_error``
        (``[low, high]``) and ``electronic_noise_assumed``; None where not measured.
    why_not : str or None
        The reason :meth:`LowDoseSettings.measured_from` gives for refusing.
    """
    try:
        settings = LowDoseSettings.measured_from(
            image, 1.0, electronic_noise=DEFAULT_ELECTRONIC_NOISE, noise=noise, values=values
        )
    except ValueError as error:  # the noise does not tell them (NoiseFreeInputError too)
        return None, str(error)
    interval = settings.photons_range
    return {
        "per_pixel": settings.photons_per_pixel,
        "standard_error": None if interval is None else list(interval),
        "electronic_noise_assumed": settings.electronic_noise,
    }, None


def _model(noise: NoiseEstimate, values: ValueRange) -> tuple[str | None, str | None]:
    """Say what the noise model is, and describe it: the log detector's where it is a radiograph's.

    Returns
    -------
    kind : str or None
        :data:`LOG_DETECTOR_FIT`, :data:`SIGNAL_INDEPENDENT` or
        :data:`NO_RADIOGRAPH_DETECTOR`; None where no detector was fitted.
    text : str or None
        Its description.
    """
    fit = noise.detector
    if fit is None:
        return None, None
    problem = fit.span_problem(values)
    if problem is None:
        return LOG_DETECTOR_FIT, fit.describe()
    if fit.signal_independent(values):
        nlf = noise.nlf
        return SIGNAL_INDEPENDENT, (
            f"{SIGNAL_INDEPENDENT}, std {nlf.sigmas.min():.4g} to {nlf.sigmas.max():.4g} over "
            f"intensities {nlf.intensities[0]:.5g} to {nlf.intensities[-1]:.5g} ({problem})"
        )
    return NO_RADIOGRAPH_DETECTOR, f"{NO_RADIOGRAPH_DETECTOR} ({problem})"


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
    """Describe the pixel padding, e.g. ``"stored value 0, 31.2 % of the pixels (...)"``.

    The padding is left out of the values (:func:`_values_text`), which the text says.
    """
    if padding is None:
        return "none declared"
    first, last = padding["stored_values"]
    values = f"stored value {first}" if first == last else f"stored values {first}..{last}"
    return f"{values}, {100 * padding['share']:.1f} % of the pixels (not in the values below)"


def _units(summary: dict[str, Any]) -> str:
    """Say what the values are: ``"rescaled: stored x 1 - 1024"``, or ``"stored values"``.

    The outputs of an applied Modality LUT Sequence are ``"Modality LUT output, unit OD"``
    (say), not stored values.
    """
    if summary["modality_lut_type"] is not None:
        return f"Modality LUT output, unit {summary['modality_lut_type']}"
    slope, intercept = summary["rescale_slope"], summary["rescale_intercept"]
    if (slope, intercept) == (1.0, 0.0):
        return "stored values"
    sign = "-" if intercept < 0 else "+"
    return f"rescaled: stored x {slope:g} {sign} {abs(intercept):g}"


def _values_text(summary: dict[str, Any]) -> str:
    """Describe the range of values that are not padding, e.g. ``"0 .. 4095 (stored values)"``."""
    if summary["value_min"] is None:
        return "none: every pixel is padding"
    return f"{summary['value_min']:g} .. {summary['value_max']:g} ({_units(summary)})"


def _noise_lines(summary: dict[str, Any]) -> list[str]:
    """Describe the noise: its level, the model fitted to it, and the quanta behind it."""
    if summary["noise_sigma"] is None:
        return [f"  noise (est.)    not measurable: {summary['noise_problem']}"]
    model = summary["noise_model"] or "no log detector fits"
    if (
        summary["noise_model_kind"] == LOG_DETECTOR_FIT
    ):  # its numbers: easily taken for the detector's
        model += f" ({FIT_NOT_CALIBRATION})"
    lines = [
        f"  noise (est.)    sigma {summary['noise_sigma']:.4g} (in the units of the values)",
        f"  noise model     {model}",
    ]
    quanta = summary["measured_quanta"]
    if quanta is None:
        lines.append(f"  quanta          not measured: {summary['measured_quanta_problem']}")
        return lines
    interval = quanta["standard_error"]
    spread = "" if interval is None else f", one standard error {interval[0]:.0f}-{interval[1]:.0f}"
    lines.append(
        f"  quanta          {quanta['per_pixel']:.0f}/pixel behind no attenuation{spread} "
        f"(measured from the noise as simulate does, electronic noise "
        f"{quanta['electronic_noise_assumed']:.1f} quanta rms assumed)"
    )
    return lines


def _as_text(summary: dict[str, Any]) -> str:
    """Describe an image in lines, as :func:`describe` summarised it.

    Size and pixel spacing are both width x height: columns then rows, the spacing
    between columns then between rows (the JSON's ``pixel_spacing_mm`` keeps DICOM's
    PixelSpacing order, between rows first). Text from the file (its name, Modality,
    window and VOI LUT explanations) has its control characters shown as escapes
    (:func:`core.errors.printable`): printed raw, they would act on the terminal.
    """
    spacing = summary["pixel_spacing_mm"]
    spacing_text = f"{spacing[1]:g} x {spacing[0]:g} mm (width x height)" if spacing else "-"
    lines = [
        summary["file"],
        f"  size            {summary['columns']} x {summary['rows']} px"
        + (f", frame {summary['frame']} of {summary['frames']}" if summary["frames"] > 1 else ""),
        f"  bits stored     {summary['bits_stored']}" + (" (signed)" if summary["signed"] else ""),
        f"  photometric     {summary['photometric']}",
        f"  modality        {summary['modality'] or '-'}",
        f"  transfer syntax {summary['transfer_syntax'] or '- (' + summary['format'] + ')'}",
        f"  pixel spacing   {spacing_text}",
        f"  window          {_window_text(summary)}",
        f"  padding         {_padding_text(summary['padding'])}",
        f"  values          {_values_text(summary)}",
        *_noise_lines(summary),
    ]
    return "\n".join(printable(line) for line in lines)  # DICOM text may hold escapes


def run(args: argparse.Namespace) -> int:
    """Print a summary of every file; exit 2 if any could not be read.

    A file that cannot be read gets a line on stderr and, with ``--json``, a record of
    the provenance, ``file`` and ``error`` (that line's reason), as ``denoise --json``
    records a failure.
    """
    failures = 0
    # A bar over files only if there are several, and only on a terminal (disable=None).
    several = None if len(args.files) > 1 else True
    files = tqdm(args.files, desc="info", unit="file", disable=several, file=sys.stderr)
    for path in files:
        try:
            image = read_numbered(path, args.frame)
            summary = describe(image)
        except XrayError as error:
            tqdm.write(f"xray-denoise: error: {printable(str(error))}", file=sys.stderr)
            failures += 1
            if args.json:
                record = {"file": text_safe(str(path)), "error": text_safe(str(error))}
                say(json.dumps({**provenance(), **record}))
            continue
        if args.json:
            # Of the bytes read and described, not of the file as it may be by now.
            record = {**provenance(), "input_sha256": image.source_sha256, **summary}
            say(json.dumps(record))
        else:
            say(_as_text(summary))
    return 2 if failures else 0
