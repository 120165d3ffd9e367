"""What an output records of the input it was made from, and whether it was made from one.

A derived DICOM references its source in its SourceImageSequence
(ReferencedSOPInstanceUID, and ReferencedFrameNumber for a frame of a multi-frame
source). A PNG's or TIFF's description ends with :func:`source_record`: the SHA-256 of
the input file and the frame denoised. A ``.npy`` holds pixels only and records nothing.
``xray-denoise denoise --skip-existing`` keeps an existing output only where
:func:`made_from` finds it was made from the same input and frame, reading headers and
descriptions, never pixels.

A PNG's or TIFF's description also keeps the history of its source, as a derived DICOM's
DerivationDescription does: what was done to the source before (:func:`described_history`)
comes first, then what was done now, joined by :func:`joined_history`; the source
record that ends it is always the output's own.

An output made from a lower dose simulated from its source (the app's export of a
denoised simulation, ``xray-denoise simulate``'s) records that source too, but is not that
source denoised: a PNG's or TIFF's record says so (``simulated=True`` of
:func:`source_record`), and a DICOM names the simulation in a ContributingEquipmentSequence
item of its own (:data:`SIMULATION_PREFIX`). :func:`made_from` tells them apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pydicom
import tifffile
from PIL import Image
from pydicom.multival import MultiValue

from core.errors import ImageReadError
from core.io.dicom_read import read_dataset
from core.io.notice import NOTICE, NOTICE_PREFIX
from core.io.sniff import DICOM_SUFFIXES

SOURCE_RECORD = re.compile(r"source sha256 ([0-9a-f]{64}), frame (number )?([0-9]+)")
"""What a PNG's or TIFF's description records of its input (:func:`source_record`):
``frame number N`` counts from 1, as every frame number the user reads does; a bare
``frame N``, written before 2026-11-27, is the frame's index from 0."""
DENOISED_BY = "denoised by diffusion model "
"""How the record of a denoising run begins in an output's text
(:meth:`core.denoise.DenoiseResult.description`), as ``xray-denoise denoise
--skip-existing`` and the app's batch look for it."""
SIMULATED = ", simulated lower dose"
"""Follows :data:`SOURCE_RECORD` in the record of an output made from a lower dose
simulated from its source (a reader that does not know it reads the record before it)."""
SIMULATION_PREFIX = "simulated "
"""How the description of a simulated dose begins
(:meth:`core.noise.LowDoseSettings.describe`): a derived DICOM's ContributingEquipmentSequence
item whose ContributionDescription begins so records a simulation."""

HISTORY_SEPARATOR = "; "
"""Between what was done to a source before and what was done next."""
ELLIPSIS = "..."
"""Marks the oldest part of a history left out to keep it within its limit, or the end of
a text cut to it (:func:`joined_history`)."""
_NOTICE_AT_END = re.compile(rf"\.? ?{NOTICE.pattern}\s*$")
"""The notice that ends every PNG's or TIFF's description this program writes, of any
version (:func:`core.io.notice.with_notice`)."""
_RECORD_IN_HISTORY = re.compile(
    rf"(?:{re.escape(HISTORY_SEPARATOR)})?{SOURCE_RECORD.pattern}(?:{re.escape(SIMULATED)})?"
)
"""A source record within a history, with the separator before it."""


def source_record(sha256: str, frame: int, *, simulated: bool = False) -> str:
    """Say which input, and which frame of it, a PNG or TIFF output was made from.

    The text ends the output's description (PNG ``Description``, TIFF
    ImageDescription); :func:`made_from` reads it back (:data:`SOURCE_RECORD`).

    Parameters
    ----------
    sha256 : str
        The SHA-256 of the input file's bytes as read, lower-case hex.
    frame : int
        The frame or page denoised, its index from 0.
    simulated : bool
        Whether the output was made from a lower dose simulated from that frame, not
        from the frame itself.

    Returns
    -------
    str
        ``"source sha256 <64 hex digits>, frame number <frame + 1>"``: numbered from 1,
        as DICOM, the command line and the app number frames; followed by
        ``", simulated lower dose"`` (:data:`SIMULATED`) where `simulated`.
    """
    record = f"source sha256 {sha256}, frame number {frame + 1}"
    return record + SIMULATED if simulated else record


def history_then(previous: str, now: str) -> str:
    """Return `now` after `previous`, joined by :data:`HISTORY_SEPARATOR`; either may be "".

    Parameters
    ----------
    previous : str
        What was done before, "" where nothing is known.
    now : str
        What was done after it, or "".

    Returns
    -------
    str
        ``"previous; now"``, or the one that is not empty, or "".
    """
    return HISTORY_SEPARATOR.join(part for part in (previous, now) if part)


def joined_history(previous: str, description: str, limit: int) -> str:
    """Return `description` after `previous`, the history of what was done before it.

    The two are joined by :data:`HISTORY_SEPARATOR`; beyond `limit` characters the
    oldest text goes first, marked :data:`ELLIPSIS`, so that what was done last is
    kept whole. A `description` too long on its own is cut at the end, marked
    :data:`ELLIPSIS` there (what it begins with, a warning, is kept). (The rule of a
    derived DICOM's DerivationDescription, :mod:`core.io.dicom_write`, after its
    notice; `previous` "" gives the rule of any text cut to a limit.)

    Parameters
    ----------
    previous : str
        What was done to the source, "" where nothing is known.
    description : str
        What was done now.
    limit : int
        Most characters of the result, more than ``len(ELLIPSIS)``.

    Returns
    -------
    str
        For example ``"simulated 25 % dose (...); denoised by ..."``.
    """
    history = previous + HISTORY_SEPARATOR + description if previous else description
    if len(history) <= limit:
        return history
    kept = limit - len(ELLIPSIS)
    if not previous or len(description) > kept:
        return description[:kept] + ELLIPSIS
    return ELLIPSIS + history[-kept:]


def described_history(description: str | None) -> str:
    """Return what was done to the image whose PNG or TIFF this program described, or "".

    The description's ending notice and its source records (:func:`source_record`) are
    left out, as they are the file's own, not its output's. Another program's
    description (one without the notice ending it) is no history, and gives "", as
    does None.

    Parameters
    ----------
    description : str or None
        A PNG's ``Description`` or a TIFF's first ImageDescription, as read.

    Returns
    -------
    str
        For example ``"simulated 25 % dose (...); clipped at 0: 12 pixels (0.01 %), at
        4095: 0 (0 %)"``.
    """
    notice = None if description is None else _NOTICE_AT_END.search(description)
    if notice is None:
        return ""
    history = _RECORD_IN_HISTORY.sub("", description[: notice.start()]).strip()
    return history.removeprefix(HISTORY_SEPARATOR.strip()).strip()


def records_by_description(destination: Path) -> bool:
    """Whether an output at `destination` records its source in its description.

    Parameters
    ----------
    destination : Path
        An output's path.

    Returns
    -------
    bool
        False for a DICOM (its SourceImageSequence references the source) and a
        ``.npy`` (it records nothing); True otherwise (PNG, TIFF).
    """
    return destination.suffix.lower() not in (*DICOM_SUFFIXES, ".npy")


_Source = tuple[str, int, int]
"""What :func:`made_from` compares: the SHA-256 or SOP instance of a file, the frame (from
0), and how many simulated doses are recorded (in a DICOM's ContributingEquipmentSequence;
1 for a PNG's or TIFF's record :data:`SIMULATED`, 0 for an input's)."""


def made_from(destination: Path, path: Path, frame: int, sha256: Callable[[], str]) -> str:
    """Say why existing `destination` is not known to be frame `frame` of `path` denoised.

    A DICOM's SourceImageSequence must reference `path`'s SOPInstanceUID and the frame
    (ReferencedFrameNumber, absent for a single-frame source); a PNG's or TIFF's
    description must end with `path`'s :func:`source_record`. Neither may record a
    lower dose simulated from it (a record :data:`SIMULATED`; a DICOM with more
    simulations in its ContributingEquipmentSequence than `path`'s,
    :data:`SIMULATION_PREFIX`). Only headers and descriptions are read.

    Parameters
    ----------
    destination : Path
        An existing output; not a ``.npy``, which records nothing of its source.
    path : Path
        The input.
    frame : int
        The input's frame, from 0.
    sha256 : callable
        Returns the input file's SHA-256 (called only for a PNG or TIFF output).

    Returns
    -------
    str
        The reason, beginning ``"exists"``; "" where `destination` was made from it.

    Raises
    ------
    ImageReadError
        If the output is a DICOM and the input's DICOM header cannot be read.
    """
    suffix = destination.suffix.lower()
    if suffix in DICOM_SUFFIXES:
        theirs, ours = _referenced_source(destination), _sop_instance(path, frame)
        if ours is None:
            return "exists, and this input has no SOPInstanceUID for a derived DICOM to reference"
    else:
        theirs, ours = _described_source(destination), (sha256(), frame, 0)
    if theirs is None:
        return "exists and records no source to show it was made from this input"
    if theirs[0] == ours[0] and theirs[1] != ours[1]:
        earlier = (
            " (xray-denoise before 2026-11-27 named frame outputs from 0: <stem>_frame000 "
            "for the first)"
            if theirs[1] == ours[1] + 1 and destination.stem.endswith(f"_frame{theirs[1]:03d}")
            else ""
        )
        return (
            f"exists, made from frame {theirs[1] + 1} of this input, not frame {ours[1] + 1}"
            f"{earlier}"
        )
    if theirs[:2] != ours[:2]:
        return (
            f"exists, made from another input: it records {_said(theirs, suffix)}, "
            f"this input is {_said(ours, suffix)}"
        )
    if theirs[2] > ours[2]:
        return "exists, made from a lower dose simulated from this input, not from this input"
    return ""


def _said(source: _Source, suffix: str) -> str:
    """Name a source as :func:`made_from` compares it, in a few words."""
    if suffix in DICOM_SUFFIXES:
        return f"SOP instance {source[0]} frame {source[1] + 1}"
    return f"sha256 {source[0][:16]}... frame {source[1] + 1}"


def _sop_instance(path: Path, frame: int) -> _Source | None:
    """Return input `path`'s SOPInstanceUID, `frame` (from 0) and simulations, or None.

    Only the header is read; None where it has no SOPInstanceUID. The simulations are
    those its ContributingEquipmentSequence records (:func:`_simulations`).

    Raises
    ------
    ImageReadError
        If the header cannot be read.
    """
    try:
        header = read_dataset(path, stop_before_pixels=True, defer_size=1024)
        simulations = _simulations(header)  # a long value is read from the file here
    except Exception as error:  # pydicom's parse errors have no common base
        raise ImageReadError(path, f"its DICOM header cannot be read ({error})") from error
    uid = str(header.get("SOPInstanceUID") or "").strip()
    return (uid, frame, simulations) if uid else None


def _referenced_source(destination: Path) -> _Source | None:
    """Return the SOP instance and frame (from 0) a derived DICOM references, or None.

    The frame is ReferencedFrameNumber less 1, 0 where it is absent (a single-frame
    source); None where the file cannot be read as DICOM or has no SourceImageSequence
    item with a ReferencedSOPInstanceUID. The simulations are those its
    ContributingEquipmentSequence records (:func:`_simulations`).
    """
    try:
        header = read_dataset(destination, stop_before_pixels=True)
        item = (header.get("SourceImageSequence") or [None])[0]
        uid = "" if item is None else str(item.get("ReferencedSOPInstanceUID") or "").strip()
        number = None if item is None else item.get("ReferencedFrameNumber")
        if isinstance(number, MultiValue):
            number = number[0] if number else None
        if not uid:
            return None
        return uid, 0 if number in (None, "") else int(number) - 1, _simulations(header)
    except Exception:  # a probe of a file in the way: any failure means "records no source"
        return None


def _simulations(header: pydicom.Dataset) -> int:
    """Count the simulated doses a DICOM's ContributingEquipmentSequence records.

    Each is an item whose ContributionDescription begins :data:`SIMULATION_PREFIX`, as
    :func:`core.io.dicom_write.derived_dataset` writes a simulation's (after the items
    of its source).
    """
    items = header.get("ContributingEquipmentSequence") or []
    said = (str(item.get("ContributionDescription") or "") for item in items)
    return sum(1 for text in said if text.startswith(SIMULATION_PREFIX))


def _described_source(destination: Path) -> _Source | None:
    """Return the input SHA-256 and frame a PNG's or TIFF's description records, or None.

    Only the description is read (:data:`SOURCE_RECORD`), never the pixels; None where
    there is none, or the file cannot be read. Of several records (one in a history
    written by another tool, say), the last is the file's own; its simulations are 1
    where it is :data:`SIMULATED`, else 0.
    """
    description = raster_description(destination) or ""
    found = list(SOURCE_RECORD.finditer(description))
    if not found:
        return None
    sha256, numbered, frame = found[-1].groups()
    simulated = description.startswith(SIMULATED, found[-1].end())
    return sha256, int(frame) - 1 if numbered else int(frame), 1 if simulated else 0


def raster_description(path: Path) -> str | None:
    """Return a PNG's ``Description`` or a TIFF's first ImageDescription.

    Parameters
    ----------
    path : Path
        A PNG (by its suffix) or a TIFF; only its header is read, never the pixels.

    Returns
    -------
    str or None
        The description ("" if none), or None where the file cannot be read as one.
    """
    try:
        if path.suffix.lower() == ".png":
            with Image.open(path) as png:
                return str(png.info.get("Description") or "")
        with tifffile.TiffFile(path) as tiff:
            return tiff.pages[0].description
    except Exception:  # a probe of a file in the way: any failure means "records nothing"
        return None


def denoised_by_this_program(path: Path) -> bool:
    """Whether `path` is an image this program denoised: a batch's output, an export.

    Its own text records a denoising run (:data:`DENOISED_BY`) and the input it was made
    from, as ``xray-denoise denoise --skip-existing`` reads them: a PNG's or TIFF's
    description holds a source record (:data:`SOURCE_RECORD`) and ends with the notice
    (:data:`core.io.notice.NOTICE`); a DICOM's DerivationDescription begins with the
    notice (:data:`core.io.notice.NOTICE_PREFIX`) and its SourceImageSequence
    references its source. A lower dose simulated by ``xray-denoise simulate`` records
    no run, and is denoised. Only headers and descriptions are read, never pixels.

    Parameters
    ----------
    path : Path
        Any file (one found under a batch's input folder, say).

    Returns
    -------
    bool
        False also for a file that cannot be read, and for a ``.npy`` or a JPEG, which
        this program never writes with a record.
    """
    suffix = path.suffix.lower()
    if suffix in DICOM_SUFFIXES:
        try:
            header = read_dataset(path, stop_before_pixels=True)
            text = str(header.get("DerivationDescription") or "")
            recorded = text.startswith(NOTICE_PREFIX) and bool(header.get("SourceImageSequence"))
        except Exception:  # a probe (pydicom's parse errors have no common base): not ours
            return False
    elif suffix in (".png", ".tif", ".tiff"):
        text = raster_description(path) or ""
        recorded = SOURCE_RECORD.search(text) is not None and NOTICE.search(text) is not None
    else:
        return False
    return recorded and DENOISED_BY in text
