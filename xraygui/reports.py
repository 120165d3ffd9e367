"""The session report: PDF (Qt's PDF writer), JSON and CSV, written as one unit.

:class:`ReportContent` gathers plain values once; the three renderers only format
them. Patient identifiers are left out unless asked for, and with them the names of
the files (the source and reference are named by their hashes). Every file says
"Not for diagnostic use".
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextOption,
)

from core.code_version import software, software_version
from core.denoise import DenoiseResult
from core.denoise.events import NOISE_LEFT_NOTE
from core.denoise.low_quanta import QUANTA_NOT_CHECKED
from core.display import to_display
from core.errors import ImageWriteError
from core.image import VoiLut, Window, XrayImage
from core.io.atomic import DestinationExistsError, atomic_write
from core.io.csv_cells import spreadsheet_cell
from core.io.notice import DISCLAIMER
from core.io.safe_text import text_safe
from core.metrics import finite_or_none, format_mse, format_psnr, format_ssim, scale_mismatch
from core.noise import LowDoseSettings, describe_simulation
from xraygui.analysis import Comparison, noise_floor_text
from xraygui.session import residual_spread

IDENTIFYING_KEYS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "AccessionNumber",
    "InstitutionName",
    "ReferringPhysicianName",
)
"""Metadata left out of a report unless the user asks for patient identifiers."""
HASH_DIGITS = 12
"""Hex digits of a file's SHA-256 that name it in a report without identifiers."""
THUMBNAIL_SIDE = 320
FOOTER_SIZE = 7
"""Point size of the disclaimer and page number at the foot of each PDF page."""
TABLE_GAP = 0.015
"""Space between a PDF table's columns, as a share of the page width."""
QUALITY_COLUMNS = (0.0, 0.22, 0.54, 0.755, 0.88)
"""Where the PDF's quality table's columns start, as shares of the page width: the
scope's holds a region of 4-digit rows and columns (``"rows 1000-2549, cols
1300-2499"``) on one line."""
SIMULATION_SOURCE = "simulation source"
"""The kind of a reference that is the opened image a low dose was simulated from."""
USER_CHOSEN = "user-chosen image"
"""The kind of a reference the user chose (Image > Choose Reference Image)."""
SCHEMA_VERSION = 2
"""Version of the JSON report's layout (reports without ``schema_version`` are version 1)."""
CSV_COLUMNS = (
    "source",
    "frame",
    *(f"patient_{key}" for key in IDENTIFYING_KEYS),
    "comparison",
    "scope",
    "mse",
    "psnr_db",
    "ssim",
    "data_range",
    "data_range_source",
    "noise_before",
    "noise_after",
    "noise_reference",
    "noise_free_psnr_db",
    "padding_pixels_left_out",
    "simulation",
    "model",
    "model_sha256",
    "sampler",
    "steps",
    "seed",
    "strength",
    "views",
    "uncertainty_samples",
    "device",
    "t_start",
    "seconds",
    "software",
    "created",
    "disclaimer",
    "schema_version",
    "source_sha256",
    "source_sop_instance_uid",
    "reference",
    "reference_kind",
    "reference_frame",
    "reference_sha256",
    "reference_sop_instance_uid",
    "scale_warning",
    "ssim_problem",
    "noise_free_psnr_problem",
    "simulation_dose",
    "simulation_photons_per_pixel",
    "simulation_electronic_noise",
    "simulation_seed",
    "simulation_max_attenuation",
    "simulation_quanta",
    "precision",
    "noise_free_rms",
    "low_quanta_warning",
    "share_below_5_quanta",
    "share_below_2_quanta",
    "share_below_5_quanta_min",
    "share_below_2_quanta_min",
    "low_quanta_checked",
    "share_clipped",
    "simulation_input_is_noisy",
    "simulation_photons_standard_error",
    "note",
    "uncertainty_std_median",
    "uncertainty_std_p99_5",
    "data_range_warning",
    "tile_sizes",
    "tile_overlap",
    "metrics_problem",
    "warnings",
)
"""The CSV report's columns; later versions add columns at the end only."""


def timestamp() -> str:
    """Return the time now in ISO 8601, to the second, with the local UTC offset."""
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class ReportContent:
    """Everything a report says, as plain values.

    Parameters
    ----------
    source : str
        The source file's full path where identifiers are included; without them,
        ``"source image"`` and its SHA-256's first :data:`HASH_DIGITS` hex digits (""
        for an unsaved image either way).
    image : dict
        Size, pixel spacing, photometric, modality.
    patient : dict or None
        Patient identifiers, only when the user asked for them.
    simulation : str or None
        The low-dose simulation, if the image was simulated (in words).
    denoising : dict or None
        Model name and hash, sampler, steps, seed, strength, device, precision, t*,
        seconds, ``low_quanta``: the warning that much of the anatomy detected
        few quanta, so that its denoised values read low (None where it did not), and
        ``warnings``: what the denoise warned of in its input, without the file's name
        (that it was lossy-compressed; :attr:`DenoiseResult.warnings`).
    noise : dict
        Pixel units: ``"before"`` the input's estimated noise std, ``"after"`` the
        pixel-scale noise left in the result (the white-noise estimate run on it, not
        the remaining error, which is correlated), ``"reference"`` the reference's
        global noise estimate.
    metrics : list of dict
        One dict per comparison (label, scope, MSE, PSNR, SSIM, data range and where
        it comes from, and the PSNR the noise-free image would score against the
        reference there, ``noise_free_psnr_infinite`` where that is infinite, and the
        reference's rms noise that gives it; ``problem`` where the metrics are unknown,
        of a region of padding only say).
    thumbnails : dict of str to ndarray
        ``"before"``, ``"after"``, ``"residual"`` and, where the run had uncertainty
        samples, ``"uncertainty"`` grey levels in [0, 1].
    created : str
        ISO 8601 time the report was made.
    note : str or None
        What the report leaves out, e.g. a denoise still running when it was made.
    source_sha256 : str or None
        SHA-256 of the source file's bytes as they were read and denoised
        (:attr:`XrayImage.source_sha256`; None for an unsaved image).
    source_uid : str or None
        The source's DICOM SOP Instance UID, only when identifiers are included.
    reference : dict or None
        The reference: ``kind`` (:data:`SIMULATION_SOURCE` or :data:`USER_CHOSEN`),
        ``name`` (its full path where identifiers are included, else
        ``"reference image"`` and its hash's first digits), ``frame`` (from 1),
        ``frames``, ``sha256`` and, with identifiers, ``sop_instance_uid``.
    scale_warning : str or None
        That the image's values are on another scale than the reference's
        (:func:`core.metrics.scale_mismatch`).
    simulation_settings : dict or None
        The simulation as numbers: ``dose``, ``photons_per_pixel``,
        ``electronic_noise``, ``seed``, ``max_attenuation``, ``quanta``
        (``"measured"`` from the image's noise, or ``"assumed"``), ``input_is_noisy``
        and ``photons_standard_error`` (:func:`simulation_settings`).
    residual_spread : float or None
        The residual thumbnail's grey scale: black at minus this, white at plus this
        (pixel values, after the modality LUT), for the PDF's caption.
    uncertainty : dict or None
        Where the run had uncertainty samples, its map in numbers
        (:func:`uncertainty_summary`): ``samples``, ``std_median`` and ``std_p99_5``
        (pixel values; the thumbnail's white), ``units``, ``padding_left_out``.
    identifiers : bool
        Whether the report names the patient, the files and the UIDs; without,
        :func:`default_stem` names its files by the source's hash, not its name.
    metrics_problem : str or None
        Why there are no metrics although there is a reference; None otherwise.
    """

    source: str
    image: dict[str, Any]
    patient: dict[str, Any] | None
    simulation: str | None
    denoising: dict[str, Any] | None
    noise: dict[str, float | None]
    metrics: list[dict[str, Any]]
    thumbnails: dict[str, np.ndarray] = field(repr=False)
    created: str = field(default_factory=timestamp)
    note: str | None = None
    source_sha256: str | None = None
    source_uid: str | None = None
    reference: dict[str, Any] | None = None
    scale_warning: str | None = None
    simulation_settings: dict[str, Any] | None = None
    residual_spread: float | None = None
    uncertainty: dict[str, Any] | None = None
    identifiers: bool = False
    metrics_problem: str | None = None

    @classmethod
    def from_session(
        cls,
        *,
        source: XrayImage,
        image: XrayImage,
        reference: XrayImage | None,
        dose: LowDoseSettings | None,
        result: DenoiseResult | None,
        rows: list[Comparison],
        reference_kind: str | None = None,
        noise: tuple[float | None, float | None],
        reference_noise: float | None = None,
        include_identifiers: bool = False,
        window: Window | VoiLut | None = None,
        invert: bool = False,
        note: str | None = None,
        display: str | None = None,
    ) -> ReportContent:
        """Collect a report from the main window's state.

        Parameters
        ----------
        source : XrayImage
            The image as opened.
        image : XrayImage
            The image that was denoised (the source or a simulated lower dose).
        reference : XrayImage or None
            The reference for the metrics; its file (``source_path``) and frame name
            it in the report.
        dose : LowDoseSettings or None
            The simulation, if any.
        result : DenoiseResult or None
            The result of the last run.
        rows : list of Comparison
            Metrics.
        reference_kind : str, optional
            What the reference is: :data:`SIMULATION_SOURCE` or :data:`USER_CHOSEN`.
            By default the simulation's source where there is a simulation, else a
            user-chosen image; a session that chose a reference after simulating
            must say so.
        noise : tuple of float or None
            The input's estimated noise, and the pixel-scale noise left in the result.
        reference_noise : float, optional
            The reference's global noise estimate.
        include_identifiers : bool
            Put patient identifiers, the full source and reference paths and the
            SOP Instance UIDs in the report, and name its files after the source;
            without, the files are named by their hashes only.
        window : Window or VoiLut, optional
            The display window or VOI LUT for the thumbnails (the file's default if None).
        invert : bool
            Inverted display.
        note : str, optional
            What the report leaves out (a run still going, say).
        display : str, optional
            How the thumbnails are drawn, as the status bar says it (``"W 800 C 1200"``,
            ``"VOI LUT NORMAL"``), for the report's image information; where the window
            showed a step rather than the result, also that the After thumbnail is the
            final result.

        Returns
        -------
        ReportContent
        """
        name = _file_name(source, "source image", include_identifiers)
        rows_, cols = image.shape
        info = {
            "rows": rows_,
            "columns": cols,
            "pixel_spacing_mm": source.pixel_spacing,
            "photometric": source.photometric,
            "format": source.source_format,
            "frame": source.frame + 1,  # numbered from 1, as in DICOM
            "frames": source.n_frames,
            "modality": source.metadata.get("Modality"),
            "display": display,
            "reference": None
            if reference is None
            else reference_kind or (SIMULATION_SOURCE if dose is not None else USER_CHOSEN),
        }
        patient = (
            {k: str(source.metadata[k]) for k in IDENTIFYING_KEYS if k in source.metadata}
            if include_identifiers
            else None
        )
        thumbs = {"before": _thumbnail(image, image.pixels, window, invert)}
        spread = uncertainty = None
        if result is not None and result.uncertainty is not None:
            uncertainty = uncertainty_summary(
                result.uncertainty, result.settings.n_uncertainty_samples, image.padding_mask
            )
            thumbs["uncertainty"] = spread_thumbnail(
                result.uncertainty, spread_white(result.uncertainty, image.padding_mask)
            )
        if result is not None:
            thumbs["after"] = _thumbnail(image, result.image.pixels, window, invert)
            residual = image.pixels - result.image.pixels
            spread = residual_spread(image, result.image)
            thumbs["residual"] = _thumbnail(
                image.with_pixels(residual, photometric="MONOCHROME2", voi_lut=None),
                residual,
                Window(0.0, 2 * spread, function="LINEAR_EXACT"),  # as the Residual pane
                False,
            )
        return cls(
            source=name,
            image=info,
            patient=patient,
            simulation=None
            if dose is None
            else describe_simulation(source, image, dose, exact=False),
            denoising=None if result is None else result.summary(),
            noise={"before": noise[0], "after": noise[1], "reference": reference_noise},
            metrics=[
                {
                    "comparison": r.label,
                    "scope": r.scope,
                    **r.metrics.to_dict(),
                    "data_range_source": r.data_range_source,
                    "noise_free_psnr": finite_or_none(r.noise_free_psnr),
                    "noise_free_psnr_infinite": r.noise_free_psnr == math.inf,
                    "noise_free_rms": r.noise_free_rms,
                    "noise_free_psnr_problem": r.noise_free_psnr_problem,
                    "data_range_warning": r.data_range_warning,
                }
                for r in rows
            ],
            thumbnails=thumbs,
            note=note,
            source_sha256=source.source_sha256,
            source_uid=_uid(source) if include_identifiers else None,
            reference=None
            if reference is None
            else _reference_info(reference, info["reference"], include_identifiers),
            scale_warning=None if reference is None else scale_mismatch(reference, image),
            simulation_settings=None if dose is None else simulation_settings(dose),
            residual_spread=spread,
            uncertainty=uncertainty,
            identifiers=include_identifiers,
            metrics_problem=None if reference is None or rows else _no_metrics(reference, image),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the report as a JSON-serialisable dict."""
        reference = None
        if self.reference is not None:
            reference = {**self.reference, "name": text_safe(self.reference["name"])}
        report = {
            "schema_version": SCHEMA_VERSION,
            "disclaimer": DISCLAIMER,
            "software": {"name": "xray-denoise", "version": software_version()},
            "created": self.created,
            "source": text_safe(self.source),
            "source_sha256": self.source_sha256,
            "image": self.image,
            "reference": reference,
            "scale_warning": self.scale_warning,
            "simulation": self.simulation,
            "simulation_settings": self.simulation_settings,
            "denoising": self.denoising,
            "uncertainty": self.uncertainty,
            "noise_std": self.noise,
            "metrics": self.metrics,
        }
        if self.source_uid is not None:
            report["source_sop_instance_uid"] = self.source_uid
        if self.patient is not None:
            report["patient"] = self.patient
        if self.note is not None:
            report["note"] = self.note
        if self.metrics_problem is not None:
            report["metrics_problem"] = self.metrics_problem
        return report

    def csv_rows(self) -> list[dict[str, Any]]:
        """One row per comparison (a single row without metrics when there is no reference)."""
        d = self.denoising or {}
        low_quanta = d.get("low_quanta") or {}
        patient = self.patient or {}
        frames = self.image.get("frames", 1)
        common = {
            "source": self.source,
            "frame": f"{self.image.get('frame')} of {frames}" if frames > 1 else None,
            **{f"patient_{key}": patient.get(key) for key in IDENTIFYING_KEYS},
            "noise_before": self.noise["before"],
            "noise_after": self.noise["after"],
            "noise_reference": self.noise.get("reference"),
            "simulation": self.simulation,
            "model": d.get("model"),
            "model_sha256": d.get("model_sha256"),
            "sampler": d.get("sampler"),
            "steps": d.get("steps"),
            "seed": d.get("seed"),
            "strength": d.get("strength"),
            "views": d.get("views"),
            "uncertainty_samples": d.get("uncertainty_samples"),
            "device": d.get("device"),
            "precision": d.get("precision"),
            "t_start": d.get("t_start"),
            "seconds": d.get("seconds"),
            "tile_sizes": " ".join(str(side) for side in d.get("tile_sizes") or ()) or None,
            "tile_overlap": d.get("tile_overlap"),
            "low_quanta_warning": low_quanta.get("warning"),
            "share_below_5_quanta": low_quanta.get("share_below_5_quanta"),
            "share_below_2_quanta": low_quanta.get("share_below_2_quanta"),
            "share_below_5_quanta_min": low_quanta.get("share_below_5_quanta_min"),
            "share_below_2_quanta_min": low_quanta.get("share_below_2_quanta_min"),
            "low_quanta_checked": d.get("low_quanta_checked"),
            "share_clipped": low_quanta.get("share_clipped"),
            "warnings": "; ".join(d.get("warnings") or ()) or None,
            "software": software(),
            "created": self.created,
            "disclaimer": DISCLAIMER,
            "schema_version": SCHEMA_VERSION,
            "source_sha256": self.source_sha256,
            "source_sop_instance_uid": self.source_uid,
            **_reference_columns(self.reference),
            "scale_warning": self.scale_warning,
            "note": self.note,
            "uncertainty_std_median": (self.uncertainty or {}).get("std_median"),
            "uncertainty_std_p99_5": (self.uncertainty or {}).get("std_p99_5"),
            **{
                f"simulation_{key}": value
                for key, value in (self.simulation_settings or {}).items()
            },
        }
        if not self.metrics:
            return [{**common, "metrics_problem": self.metrics_problem}]
        return [
            {
                **common,
                "comparison": m["comparison"],
                "scope": m["scope"],
                "mse": m["mse"],
                "psnr_db": "inf" if m.get("psnr_infinite") else m["psnr"],
                "ssim": m["ssim"],
                "ssim_problem": m.get("ssim_problem"),
                "data_range": m["data_range"],
                "data_range_source": m.get("data_range_source"),
                "noise_free_psnr_db": "inf"
                if m.get("noise_free_psnr_infinite")
                else m.get("noise_free_psnr"),
                "noise_free_rms": m.get("noise_free_rms"),
                "noise_free_psnr_problem": m.get("noise_free_psnr_problem"),
                "data_range_warning": m.get("data_range_warning"),
                "padding_pixels_left_out": m.get("excluded", 0),
                "metrics_problem": m.get("problem"),
            }
            for m in self.metrics
        ]


def _no_metrics(reference: XrayImage, image: XrayImage) -> str:
    """Say why a session with a reference has no metrics, for the report."""
    if reference.shape != image.shape:
        (rows, cols), (our_rows, our_cols) = reference.shape, image.shape
        return f"the reference is {cols} x {rows} px, the image {our_cols} x {our_rows} px"
    return "they could not be computed for these images (the app said why when it tried)"


def simulation_settings(dose: LowDoseSettings) -> dict[str, Any]:
    """Return a low-dose simulation as plain numbers, beside its description in words.

    Parameters
    ----------
    dose : LowDoseSettings
        The simulation.

    Returns
    -------
    dict
        ``dose`` (fraction of the full dose), ``photons_per_pixel`` (at full dose),
        ``electronic_noise`` (quanta), ``seed``, ``max_attenuation``, ``quanta``:
        ``"measured"`` from the image's own noise, or ``"assumed"``, ``input_is_noisy``
        (False where the input was taken as noise-free, which changes the noise drawn)
        and ``photons_standard_error``: ``[low, high]``, the quanta within one standard
        error of the measurement, or None where they were not measured (as
        ``simulate --json`` names them).
    """
    return {
        "dose": dose.dose,
        "photons_per_pixel": dose.photons_per_pixel,
        "electronic_noise": dose.electronic_noise,
        "seed": int(dose.seed),
        "max_attenuation": dose.max_attenuation,
        "quanta": "measured" if dose.measured else "assumed",
        "input_is_noisy": dose.input_is_noisy,
        "photons_standard_error": None
        if dose.photons_range is None
        else [float(value) for value in dose.photons_range],
    }


def uncertainty_summary(
    spread: np.ndarray, samples: int, padding: np.ndarray | None = None
) -> dict[str, Any]:
    """Return an uncertainty map in numbers, for the reports.

    Parameters
    ----------
    spread : ndarray
        Per-pixel standard deviation of the uncertainty samples, in pixel values.
    samples : int
        How many samples it is the spread of.
    padding : ndarray of bool, optional
        True at padding pixels, which the denoiser leaves as they were: left out.

    Returns
    -------
    dict
        ``samples``; ``std_median`` and ``std_p99_5``, the median and 99.5th percentile
        of the std (the uncertainty pane's and thumbnail's white), None where every
        pixel is padding; ``units`` (``"pixel values"``); ``padding_left_out`` (pixels).
    """
    values = spread if padding is None else spread[~padding]
    median = top = None
    if values.size:
        median, top = (finite_or_none(float(v)) for v in np.percentile(values, [50, 99.5]))
    return {
        "samples": samples,
        "std_median": median,
        "std_p99_5": top,
        "units": "pixel values",
        "padding_left_out": 0 if padding is None else int(np.count_nonzero(padding)),
    }


def spread_white(spread: np.ndarray, padding: np.ndarray | None = None) -> float:
    """Return the std an uncertainty map is shown white at, in the pane and the report.

    Parameters
    ----------
    spread : ndarray
        Per-pixel standard deviation, in pixel values.
    padding : ndarray of bool, optional
        True at padding pixels: left out.

    Returns
    -------
    float
        The 99.5th percentile of the map (``std_p99_5`` of :func:`uncertainty_summary`),
        or 1 where it is 0 or there is no pixel but padding.
    """
    values = spread if padding is None else spread[~padding]
    return (float(np.percentile(values, 99.5)) if values.size else 0.0) or 1.0


def spread_thumbnail(spread: np.ndarray, white: float) -> np.ndarray:
    """Return the grey levels of an uncertainty map's thumbnail: 0 black, `white` white.

    Parameters
    ----------
    spread : ndarray
        Per-pixel standard deviation, in pixel values.
    white : float
        The std shown white (larger ones too), > 0.

    Returns
    -------
    ndarray of float32
        In ``[0, 1]``, every few pixels of a large map (as the other thumbnails).
    """
    stride = max(1, max(spread.shape) // THUMBNAIL_SIDE)
    return np.clip(spread[::stride, ::stride] / white, 0, 1).astype(np.float32)


def _file_name(image: XrayImage, role: str, include_identifiers: bool) -> str:
    """Name an image's file: its full path with identifiers, else `role` and its hash.

    Without identifiers neither the file's name nor its folder is given (either may
    name the patient or hold a UID), only `role` and the first :data:`HASH_DIGITS`
    hex digits of its SHA-256 as read; "" for an image not read from a file.
    """
    if image.source_path is None:
        return ""
    if include_identifiers:
        return str(image.source_path)
    digest = (image.source_sha256 or "")[:HASH_DIGITS]
    return f"{role} {digest}" if digest else role


def _uid(image: XrayImage) -> str | None:
    uid = image.metadata.get("SOPInstanceUID")
    return None if uid is None else str(uid)


def _reference_info(
    reference: XrayImage, kind: str | None, include_identifiers: bool
) -> dict[str, Any]:
    """Name the reference: kind, file (name or path), frame from 1, SHA-256, and UID."""
    info: dict[str, Any] = {
        "kind": kind,
        "name": _file_name(reference, "reference image", include_identifiers),
        "frame": reference.frame + 1,  # numbered from 1, as the image's frame
        "frames": reference.n_frames,
        "sha256": reference.source_sha256,  # of the bytes read, not of the file now
    }
    if include_identifiers:
        info["sop_instance_uid"] = _uid(reference)
    return info


def _reference_columns(reference: dict[str, Any] | None) -> dict[str, Any]:
    """Return the CSV's reference columns (empty without a reference)."""
    ref = reference or {}
    frames = ref.get("frames", 1)
    return {
        "reference": ref.get("name"),
        "reference_kind": ref.get("kind"),
        "reference_frame": f"{ref.get('frame')} of {frames}" if frames > 1 else None,
        "reference_sha256": ref.get("sha256"),
        "reference_sop_instance_uid": ref.get("sop_instance_uid"),
    }


def _thumbnail(
    image: XrayImage, pixels: np.ndarray, window: Window | VoiLut | None, invert: bool
) -> np.ndarray:
    stride = max(1, max(pixels.shape) // THUMBNAIL_SIDE)
    return to_display(image.with_pixels(pixels[::stride, ::stride]), window, invert=invert)


def json_bytes(content: ReportContent) -> bytes:
    """Render the JSON report (UTF-8)."""
    return (json.dumps(content.to_json(), indent=2, default=str) + "\n").encode("utf-8")


def csv_bytes(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> bytes:
    """Render a table as UTF-8 CSV, every text cell made valid and inert first.

    Text is made valid Unicode (:func:`~core.io.safe_text.text_safe`), then text a
    spreadsheet would run as a formula (``=1+2.dcm``, a PatientName ``=HYPERLINK(...)``)
    gets a single quote before it (:func:`core.io.csv_cells.spreadsheet_cell`); numbers
    are written as they are.

    The bytes begin with a UTF-8 byte-order mark, so that spreadsheets (Excel on
    Windows) read non-ASCII text such as patient names or "µ" as UTF-8; read the
    file back with ``encoding="utf-8-sig"``.

    Parameters
    ----------
    columns : iterable of str
        The header; keys of a row that are not columns are left out.
    rows : iterable of dict
        One dict per row.

    Returns
    -------
    bytes
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_cell(_valid(v)) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8-sig")


def _valid(value: Any) -> Any:
    """Return text as :func:`text_safe` makes it, anything else unchanged."""
    return text_safe(value) if isinstance(value, str) else value


def _qimage(grey: np.ndarray) -> QImage:
    data = np.ascontiguousarray((np.clip(grey, 0, 1) * 255).astype(np.uint8))
    rows, cols = data.shape
    return QImage(data.data, cols, rows, cols, QImage.Format.Format_Grayscale8).copy()


def _tiles(denoising: dict[str, Any]) -> str:
    """Name the tiles a denoise ran on, as its description does: ``"tile 512 overlap 64, "``."""
    sides = denoising.get("tile_sizes")
    if not sides:
        return ""
    return f"tile {' then '.join(map(str, sides))} overlap {denoising['tile_overlap']}, "


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def pdf_bytes(content: ReportContent) -> bytes:
    """Render the PDF report with Qt's PDF writer, on as many A4 pages as it takes.

    Every page ends with "Not for diagnostic use" and "page N of M": the report is
    laid out twice, the first time to count its pages.

    Parameters
    ----------
    content : ReportContent
        What to write.

    Returns
    -------
    bytes
    """
    _, pages = _render_pdf(content, pages=None)
    data, _ = _render_pdf(content, pages=pages)
    return data


def _render_pdf(content: ReportContent, pages: int | None) -> tuple[bytes, int]:
    """Render the PDF with `pages` in its footers ("page N" if None); return it and its pages."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(f"xray-denoise report - {DISCLAIMER}")
    writer.setCreator(software())
    writer.setResolution(150)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter(writer)
    # Images as Flate, not JPEG, which moved the residual's grey levels by up to 10 of 255.
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    try:
        layout = _PageLayout(painter, writer, pages)
        _paint_report(layout, content)
        layout.finish()
    finally:
        painter.end()
    buffer.close()
    return bytes(buffer.data()), layout.page


_CELL_WRAP = QTextOption()
_CELL_WRAP.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
"""How a PDF table's cell wraps: at spaces, and within a word wider than its column."""


class _PageLayout:
    """Lay a report out from the top down, over as many pages as it takes.

    A block that would cross the bottom margin starts a new page; each page gets the
    disclaimer and its number below that margin.
    """

    def __init__(self, painter: QPainter, writer: QPdfWriter, pages: int | None) -> None:
        self.painter = painter
        self.writer = writer
        self.pages = pages
        self.width = writer.width()
        self.page = 1
        self.y = 0.0
        self._font(FOOTER_SIZE)
        self._footer_height = painter.fontMetrics().height()
        self.bottom = writer.height() - 2 * self._footer_height
        """Where content must end on a page (the footer lies below)."""

    def room(self, height: float) -> bool:
        """Start a new page unless `height` fits above the bottom; return whether it did.

        A block taller than a page starts at the top of one and is cut off there.
        """
        if self.y == 0 or self.y + height <= self.bottom:
            return False
        self._footer()
        self.writer.newPage()
        self.page += 1
        self.y = 0.0
        return True

    def line(
        self,
        text: str,
        *,
        size: int = 9,
        bold: bool = False,
        color: str = "black",
        gap: float = 1.5,
    ) -> None:
        """Draw a paragraph of text, word-wrapped to the page's width."""
        self._font(size, bold, color)
        height = self.painter.fontMetrics().height()
        box = self._text_box(text, height)
        if self.room(box.height()):
            box = self._text_box(text, height)
        self.painter.drawText(box, Qt.TextFlag.TextWordWrap, text)
        self.y += box.height() + height * (gap - 1)

    def row(
        self,
        cells: Iterable[str],
        columns: Iterable[float],
        *,
        bold: bool = False,
        header: Iterable[str] | None = None,
    ) -> list[QRectF]:
        """Draw a table row; return the boxes its cells' text fills.

        Each cell is word-wrapped (within a word where one is wider than its column) to
        its column, which ends :data:`TABLE_GAP` before the next one (the last at the
        page's edge), and the row is as tall as its tallest cell. A row that starts a new
        page has `header` (drawn bold) drawn above it there.

        Parameters
        ----------
        cells : iterable of str
            The row's text, one per column.
        columns : iterable of float
            Where each column starts, as a share of the page width, left to right.
        bold : bool
            Whether the row is drawn bold (a header).
        header : iterable of str, optional
            The table's header, drawn again at the top of a new page.

        Returns
        -------
        list of QRectF
            Each cell's text box, as drawn.
        """
        cells, columns = list(cells), list(columns)
        if self.room(self.row_height(cells, columns, bold=bold)) and header is not None:
            self.row(header, columns, bold=True)
        self._font(9, bold)
        boxes = [
            self.painter.boundingRect(box, cell, _CELL_WRAP)
            for box, cell in zip(self._cells(columns), cells, strict=True)
        ]
        for box, cell in zip(boxes, cells, strict=True):
            self.painter.drawText(box, cell, _CELL_WRAP)
        self.y += self.row_height(cells, columns, bold=bold)
        return boxes

    def row_height(
        self, cells: Iterable[str], columns: Iterable[float], *, bold: bool = False
    ) -> float:
        """Return the height a table row takes: its tallest cell's, and the space below it."""
        self._font(9, bold)
        line = self.painter.fontMetrics().height()
        tallest = max(
            self.painter.boundingRect(box, cell, _CELL_WRAP).height()
            for box, cell in zip(self._cells(columns), cells, strict=True)
        )
        return max(tallest, line) + 0.4 * line

    def _cells(self, columns: list[float]) -> list[QRectF]:
        """Return the boxes a row's cells may fill, at the current height, each up to the next."""
        ends = [*columns[1:], 1.0 + TABLE_GAP]  # the last column runs to the page's edge
        return [
            QRectF(start * self.width, self.y, (end - start - TABLE_GAP) * self.width, 1e6)
            for start, end in zip(columns, ends, strict=True)
        ]

    def finish(self) -> None:
        """Draw the last page's footer."""
        self._footer()

    def _text_box(self, text: str, height: float) -> QRectF:
        return self.painter.boundingRect(
            QRectF(0, self.y, self.width, 100 * height), Qt.TextFlag.TextWordWrap, text
        )

    def _font(self, size: int, bold: bool = False, color: str = "black") -> None:
        font = QFont("Helvetica", size)
        font.setBold(bold)
        self.painter.setFont(font)
        self.painter.setPen(QColor(color))

    def _footer(self) -> None:
        self._font(FOOTER_SIZE, True, "#a01010")
        box = QRectF(0, self.writer.height() - self._footer_height, self.width, self._footer_height)
        self.painter.drawText(box, Qt.AlignmentFlag.AlignLeft, f"{DISCLAIMER}.")
        self._font(FOOTER_SIZE)
        number = f"page {self.page}" + ("" if self.pages is None else f" of {self.pages}")
        self.painter.drawText(box, Qt.AlignmentFlag.AlignRight, number)


def _identity_text(sha256: str | None, uid: str | None) -> str:
    """Return the file's SHA-256 and SOP Instance UID, for the PDF (each where known)."""
    return (f", SHA-256 {sha256}" if sha256 else "") + (f", SOP Instance UID {uid}" if uid else "")


def _range_text(metrics: dict[str, Any]) -> str:
    source = metrics.get("data_range_source")
    return f"{metrics['data_range']:g}" + ("" if source is None else f" ({source})")


def _caption(name: str, content: ReportContent) -> str:
    """Return a thumbnail's caption; the residual's and the uncertainty map's give their scale."""
    if name == "uncertainty":
        white = (content.uncertainty or {}).get("std_p99_5") or 1.0
        return f"Uncertainty (std of the samples), black 0 to white {white:.4g} pixel values"
    if name != "residual":
        return name.capitalize()
    return residual_title(content.residual_spread)


def residual_title(spread: float | None) -> str:
    """Name the residual image and its grey scale, in the Residual pane and the report.

    Parameters
    ----------
    spread : float or None
        The residual shown white (black at minus it), in pixel values; None: unknown.

    Returns
    -------
    str
        For example ``"Residual, grey ±12.3 pixel values (Before - final result)"``: the
        scale first, so that a narrow pane keeps it.
    """
    scale = "" if spread is None else f", grey ±{spread:.4g} pixel values"
    return f"Residual{scale} (Before - final result)"


def _uncertainty_text(summary: dict[str, Any]) -> str:
    """Return the PDF's line on the uncertainty map: its std's median and 99.5th percentile."""
    padding = summary.get("padding_left_out")
    left_out = f", padding ({padding} pixels) left out" if padding else ""
    return (
        f"Uncertainty (std of {summary['samples']} samples, pixel values{left_out}): "
        f"median {_fmt(summary['std_median'])}, 99.5th percentile {_fmt(summary['std_p99_5'])}."
    )


def _scope_text(scope: str) -> str:
    """Return a comparison's scope for people, e.g. ``"rows 256-767, cols 256-767"``.

    A region (``ROW,COL,HEIGHT,WIDTH``, :meth:`core.metrics.Region.as_text`) is named
    by its pixels, from 0; any other scope (``"image"``) is returned as it is.
    """
    parts = scope.split(",")
    if len(parts) != 4 or not all(p.strip().isdigit() for p in parts):
        return scope
    row, col, height, width = (int(p) for p in parts)
    return f"rows {row}-{row + height - 1}, cols {col}-{col + width - 1}"


def _paint_report(page: _PageLayout, content: ReportContent) -> None:
    line = page.line
    width = page.width
    line("xray-denoise report", size=16, bold=True)
    line(f"{DISCLAIMER.upper()}: research and teaching tool.", size=11, bold=True, color="#a01010")
    line(f"Created {content.created} with {software()}")
    line(
        f"Source: {text_safe(content.source) or '(unsaved image)'}"
        + _identity_text(content.source_sha256, content.source_uid)
    )
    info = content.image
    line(
        f"Image: {info['columns']} x {info['rows']} px, spacing {_fmt(info['pixel_spacing_mm'])} "
        f"mm, {info['photometric']}, {info['format']}, modality {_fmt(info['modality'])}"
        + (f", frame {info['frame']} of {info['frames']}" if info["frames"] > 1 else "")
        + (f"; shown with {info['display']}" if info.get("display") else "")
    )
    ref = content.reference
    if ref is not None:
        frame = f", frame {ref['frame']} of {ref['frames']}" if ref["frames"] > 1 else ""
        line(
            f"Reference ({ref['kind']}): {text_safe(ref['name']) or '(unsaved image)'}{frame}"
            + _identity_text(ref["sha256"], ref.get("sop_instance_uid"))
        )
    if content.scale_warning:
        line(f"Warning about the image: {content.scale_warning}.", bold=True)
    if content.patient is not None:
        line("Patient: " + ", ".join(f"{k} {v}" for k, v in content.patient.items()))
    if content.simulation:
        line(f"Simulation: {content.simulation}")
    d = content.denoising
    if d is None:
        line("Not denoised.")
    else:
        line(f"Model: {d['model']} (SHA-256 {d['model_sha256']})")
        line(
            f"Sampler {d['sampler']}, {d['steps']} step(s), seed {d['seed']}, strength "
            f"{_fmt(d['strength'])}, {d['views']} view(s), "
            f"{d['uncertainty_samples']} uncertainty sample(s), t* {_fmt(d['t_start'])}, "
            f"device {d['device']}, network in {d['precision']}, {_tiles(d)}{_fmt(d['seconds'])} s"
        )
        if content.uncertainty is not None:
            line(_uncertainty_text(content.uncertainty))
        for warning in d.get("warnings") or ():
            line(f"Warning: {warning}.", bold=True, color="#a01010")
        if d.get("low_quanta"):
            line(f"Warning: {d['low_quanta']['warning']}.", bold=True, color="#a01010")
        elif d.get("low_quanta_checked") is False:
            line(f"Few-quanta check: {QUANTA_NOT_CHECKED}.")
    if content.note:
        line(content.note, bold=True)
    line(f"Input noise (estimated std, pixel values): {_fmt(content.noise['before'])}.")
    if content.noise["after"] is not None:
        line(
            f"Pixel-scale noise left (std, pixel values): {_fmt(content.noise['after'])} "
            f"({NOISE_LEFT_NOTE})."
        )
    page.y += 10
    names = [n for n in ("before", "after", "residual", "uncertainty") if n in content.thumbnails]
    across = max(len(names), 3)
    side = (width - 20 * (across - 1)) / across
    page.painter.setFont(QFont("Helvetica", 9))
    caption = 4 * page.painter.fontMetrics().height()  # up to four lines, in a narrow column
    page.room(side + caption + 8)
    top = page.y
    for i, name in enumerate(names):
        image = _qimage(content.thumbnails[name])
        scale = side / max(image.width(), image.height())
        target = QRectF(i * (side + 20), top, image.width() * scale, image.height() * scale)
        page.painter.drawImage(target, image)
        page.painter.setPen(QColor("black"))
        page.painter.setFont(QFont("Helvetica", 9))
        page.painter.drawText(
            QRectF(target.left(), target.bottom() + 4, side, caption),
            Qt.TextFlag.TextWordWrap,
            _caption(name, content),
        )
    page.y = top + side + caption + 8
    if content.metrics:
        columns = QUALITY_COLUMNS
        header = ("Comparison", "Scope", "MSE (pixel values²)", "PSNR (dB)", "SSIM")
        rows = [
            (
                m["comparison"],
                _scope_text(m["scope"]),
                format_mse(m["mse"]),
                "inf" if m.get("psnr_infinite") else format_psnr(m["psnr"]),
                format_ssim(m["ssim"]),
            )
            for m in content.metrics
        ]
        single = page.row_height(header, columns, bold=True)  # about the title's, too
        heights = [page.row_height(row, columns) for row in rows]
        table = 3 * single + sum(heights)  # with its title and the line below it
        page.room(table if table <= page.bottom else 3 * single + heights[0])  # whole if it fits
        line("Quality against the reference", size=11, bold=True)
        page.row(header, columns, bold=True)
        for row in rows:
            page.row(row, columns, header=header)  # the header again on a new page
        ranges = dict.fromkeys(_range_text(m) for m in content.metrics)
        line(f"PSNR and SSIM on a data range of {' / '.join(ranges)}.")
        for warning in dict.fromkeys(m.get("data_range_warning") for m in content.metrics):
            if warning:
                line(f"Warning about the reference: {warning}.", bold=True)
        padding = max(m.get("excluded", 0) for m in content.metrics)
        if padding:
            line(f"The reference's padding ({padding} pixels) is left out of these numbers.")
        unknown = dict.fromkeys(m.get("problem") for m in content.metrics if m.get("problem"))
        for problem in unknown:
            line(f"Metrics unavailable: {problem}.")
        for problem in dict.fromkeys(m.get("ssim_problem") for m in content.metrics):
            if problem and problem not in unknown:
                line(f"SSIM unknown: {problem}.")
        floors = {
            m["scope"]: math.inf if m.get("noise_free_psnr_infinite") else m["noise_free_psnr"]
            for m in content.metrics
        }
        whole = floors.pop("image", None)
        floor_problem = content.metrics[0].get("noise_free_psnr_problem")
        if whole is None and floor_problem:
            line(f"The noise-free image's PSNR against the reference is unknown: {floor_problem}.")
        elif whole is not None:
            regions = "".join(
                f" ({_scope_text(scope)}: {format_psnr(value)} dB)"
                for scope, value in floors.items()
                if value is not None
            )
            rms = next(m["noise_free_rms"] for m in content.metrics if m["scope"] == "image")
            line(noise_floor_text(whole, rms, content.noise.get("reference"), elsewhere=regions))
    elif content.reference is None:
        line("No reference image: PSNR and SSIM are not available.")
    else:
        line(f"Metrics unavailable: {content.metrics_problem or 'none were computed'}.")
    page.y += 10
    line(f"{DISCLAIMER}.", bold=True, color="#a01010")


def write_report(content: ReportContent, folder: Path, stem: str | None = None) -> list[Path]:
    """Write ``STEM.pdf``, ``STEM.json`` and ``STEM.csv`` into `folder`, as one unit.

    All three are rendered first, then written (:func:`write_files`): either all
    three are there afterwards, or none is. A report never replaces another: where
    one of the three files exists, ``STEM_2`` (or ``STEM_3``...) is used for all three.
    Where another writer creates one of them after that check, the report moves to the
    next free stem, up to 100 stems in all.

    Parameters
    ----------
    content : ReportContent
        What to write.
    folder : Path
        Destination folder (created if needed, and removed again, with the folders
        above it created for it, where the report cannot be written).
    stem : str, optional
        File name without extension; by default :func:`default_stem`.

    Returns
    -------
    list of Path
        PDF, JSON and CSV paths.

    Raises
    ------
    ImageWriteError
        If `folder` (or a folder above it) is a file or cannot be created, or a file
        cannot be written (none of the three is left behind).
    DestinationExistsError
        If other writers took each of 100 stems first (none of the three is left behind).
    """
    rendered = {
        ".pdf": pdf_bytes(content),
        ".json": json_bytes(content),
        ".csv": csv_bytes(CSV_COLUMNS, content.csv_rows()),
    }
    base = stem or default_stem(content)
    created = _make_folder(folder)
    stem, number, tries = base, 1, 1
    try:
        while True:
            while any((folder / f"{stem}{suffix}").exists() for suffix in rendered):
                number += 1
                stem = f"{base}_{number}"
            try:
                return write_files(
                    {folder / f"{stem}{suffix}": data for suffix, data in rendered.items()}
                )
            except DestinationExistsError:  # another writer took the stem since the check
                if tries == 100:
                    raise
            tries += 1
            number += 1
            stem = f"{base}_{number}"
    except BaseException:  # a full disk, say: no empty folder is left of the report
        _remove_empty(created)
        raise


def default_stem(content: ReportContent) -> str:
    """Name a report's files, after the source only where identifiers are included.

    The source's stem with identifiers; without them (a file or folder name may name
    the patient or hold a UID) ``image_`` and the first :data:`HASH_DIGITS` hex digits
    of the source's SHA-256, or for an unsaved image the time the report was made.
    Then the frame where the image has several (from 1, as the exported image is
    named), then ``_report``.

    Parameters
    ----------
    content : ReportContent
        The report.

    Returns
    -------
    str
        For example ``"chest_report"``, or ``"mf_frame002_report"`` for the second
        frame of ``mf.dcm``; without identifiers ``"image_1a2b3c4d5e6f_report"``
        (``"image_20240229T101500_report"`` for an unsaved image).
    """
    if content.identifiers:
        parts = [Path(content.source).stem or "image"]
    else:
        made = content.created[:19].replace("-", "").replace(":", "")  # 20240229T101500
        parts = ["image_" + ((content.source_sha256 or "")[:HASH_DIGITS] or made)]
    if content.image.get("frames", 1) > 1:
        parts.append(f"frame{content.image['frame']:03d}")  # from 1, as in the report
    return "_".join([*parts, "report"])


def _make_folder(folder: Path) -> list[Path]:
    """Create `folder` and those above it; one-line :class:`ImageWriteError` if that fails.

    Returns
    -------
    list of Path
        The folders that were missing, `folder` first (none where it existed).
    """
    missing = []
    try:
        for place in (folder, *folder.parents):
            if place.exists():
                if not place.is_dir():
                    raise ImageWriteError(place, "it is a file, not a folder")
                break
            missing.append(place)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _remove_empty(missing)  # those above it created before the failure
        reason = error.strerror or str(error)
        raise ImageWriteError(folder, f"cannot create the folder: {reason}") from error
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove `folders`, deepest first, while each is empty (another's files are kept)."""
    for folder in folders:
        try:
            folder.rmdir()
        except FileNotFoundError:  # never made, or gone
            continue
        except OSError:  # not empty: a file another program put there
            return


def write_files(files: dict[Path, bytes]) -> list[Path]:
    """Write new files as one unit: all of them, or none.

    Each file's bytes go to a temporary file beside it
    (:func:`core.io.atomic.atomic_write`) and are flushed to disk before any is
    renamed into place, so a full disk or a write error leaves nothing. Should a
    rename fail after others succeeded, the files already renamed are removed.

    Parameters
    ----------
    files : dict of Path to bytes
        Destinations, which must not exist, and their contents.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ImageWriteError
        If one exists or cannot be written (one line naming it and the reason).
    """
    renamed: list[Path] = []
    try:
        with ExitStack() as stack:
            for path, data in files.items():
                file = stack.enter_context(_noting_rename(path, renamed))
                file.write(data)
                file.flush()
                os.fsync(file.fileno())  # a full disk fails here, before any rename
    except BaseException:
        for path in renamed:
            path.unlink(missing_ok=True)
        raise
    return list(files)


@contextmanager
def _noting_rename(path: Path, renamed: list[Path]) -> Iterator[BinaryIO]:
    """:func:`atomic_write` to a new `path`; add `path` to `renamed` once it is in place."""
    with atomic_write(path) as file:
        yield file
    renamed.append(path)
