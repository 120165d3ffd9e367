"""What a folder holds, read without Qt: images grouped by patient, study and series.

:func:`scan_images` reads the files one by one (in the browser's worker) and yields a
:class:`ScanEntry` with a small thumbnail per image, or an :class:`Unreadable` with the
reason. Tree nodes are keyed on identifiers (PatientID, the study and series UIDs),
never on their labels, and sorted by instance, series number and date.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.display import to_display
from core.errors import XrayError, collecting_warnings
from core.io import read_image
from core.io.dicom_read import is_dicomdir
from core.io.paths import unlisted_reason
from core.io.sniff import IMAGE_SUFFIXES, detect_format, is_image_candidate
from core.training.data import left_out

THUMBNAIL_SIDE = 64

Order = tuple[int, int | str, str, str]
"""Sort key of a tree node among its siblings: (unknown last, number or date, label, key)."""


@dataclass(frozen=True)
class GroupNode:
    """One level of the browser tree above the images (patient, study or series).

    Parameters
    ----------
    key : str
        What makes the node distinct among its siblings (an ID or UID, never a label).
    label : str
        The text shown.
    tooltip : str
        The full description (names, dates, identifiers).
    order : tuple
        Sort key among its siblings (:data:`Order`).
    """

    key: str
    label: str
    tooltip: str
    order: Order


@dataclass(frozen=True)
class ScanEntry:
    """One readable image found by :func:`scan_images`.

    Parameters
    ----------
    path : Path
        The file.
    groups : tuple of GroupNode
        ``(patient, study, series)`` for DICOM; ``(Other images, folder)`` otherwise.
    label : str
        Short description (file name, size).
    order : tuple
        Sort key within its series (instance number, then file name).
    thumbnail : ndarray of uint8
        Display grey levels, at most :data:`THUMBNAIL_SIDE` pixels a side.
    """

    path: Path
    groups: tuple[GroupNode, ...]
    label: str
    order: Order
    thumbnail: np.ndarray


@dataclass(frozen=True)
class Unreadable:
    """A file tried by :func:`scan_images` that could not be listed.

    Parameters
    ----------
    path : Path
        The file.
    reason : str
        The reader's one-line reason.
    is_image : bool
        True for an image file that failed to read (by its extension or signature),
        a folder that could not be listed, or a path given that could not be looked at;
        False for a file that is not an image.
    """

    path: Path
    reason: str
    is_image: bool


def iter_image_files(
    paths: Iterable[str | os.PathLike[str]], *, onerror: Callable[[OSError], None] | None = None
) -> Iterator[Path]:
    """Files to try, in a stable order; folders are walked recursively.

    In a folder, a file is tried if :func:`core.io.sniff.is_image_candidate` takes it
    (the DICOM preamble whatever the suffix, as in a UID-named DICOM), or if its name
    has an image suffix or no suffix at all (it may be DICOM without the preamble;
    what it is, the reader says). Files and folders that training leaves out
    (:func:`core.training.data.left_out`: hidden, or a system folder such as
    ``$RECYCLE.BIN``) are passed over. A file so
    named that is not a regular file (a FIFO, say) is tried too: the reader says so
    without opening it, where opening a FIFO would wait for a writer forever.

    Parameters
    ----------
    paths : iterable of path
        Files and folders.
    onerror : callable, optional
        Called with the ``OSError`` of each folder that cannot be listed (its
        ``filename`` the folder), as :func:`os.walk` does, and of each of `paths` that
        cannot be looked at (a folder above it may be listed but not searched, or it is
        a symbolic link loop or a link to nothing); without it these are passed over.

    Yields
    ------
    Path
    """
    for path in map(Path, paths):
        try:  # Python 3.11's is_dir() raises for EACCES (a folder above not searchable)
            is_dir = path.is_dir()
            is_file = not is_dir and path.is_file()
        except OSError as error:
            if onerror is not None:
                onerror(error)
            continue
        if not is_dir and not is_file and os.path.lexists(path):
            try:  # Python 3.11's is_dir() and is_file() are False for ELOOP and ENOENT
                os.stat(path)
            except OSError as error:  # a symbolic link loop, or a link to nothing
                if onerror is not None:
                    onerror(error)
                continue
            is_file = True  # not a regular file (a FIFO, say): the reader says so
        if is_dir:
            for root, dirs, files in os.walk(path, onerror=onerror):
                dirs[:] = sorted(d for d in dirs if not left_out(Path(d), Path(root)))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if left_out(Path(name), Path(root)):
                        continue
                    suffix = candidate.suffix.lower()
                    if not suffix or suffix in IMAGE_SUFFIXES or is_image_candidate(candidate):
                        yield candidate
        elif is_file:
            yield path


def _number(value: Any) -> int | None:
    """Return a DICOM IS value as int, or None when absent or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> str:
    """Return a DICOM DA value as YYYY-MM-DD (unchanged when it is not 8 digits)."""
    text = str(value or "")
    return f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 and text.isdigit() else text


def _lines(*pairs: tuple[str, Any]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in pairs if value not in (None, ""))


def _patient(metadata: dict) -> GroupNode:
    """Patients are told apart by ID and name, never by the name alone."""
    name = str(metadata.get("PatientName") or "")
    patient_id = str(metadata.get("PatientID") or "")
    tooltip = _lines(("Patient", name), ("Patient ID", patient_id))
    if patient_id:
        label = f"{name or '(no name)'} ({patient_id})"
        key = f"id:{patient_id}\\{name}"
    else:  # nothing identifies the patient: one node per study, never merged by name
        label = f"{name or '(unknown patient)'} (no ID)"
        key = f"study:{metadata['StudyInstanceUID']}"
        tooltip = tooltip or "No patient name or ID"
    return GroupNode(key, label, tooltip, (0, label.casefold(), label, key))


def _study(metadata: dict) -> GroupNode:
    uid = str(metadata["StudyInstanceUID"])
    date = _date(metadata.get("StudyDate"))
    description = str(metadata.get("StudyDescription") or "")
    label = " ".join(part for part in (date, description) if part) or f"Study {uid}"
    tooltip = _lines(
        ("Study", description),
        ("Date", date),
        ("Accession number", metadata.get("AccessionNumber")),
        ("Study Instance UID", uid),
    )
    when = f"{metadata.get('StudyDate', '')}{metadata.get('StudyTime', '')}"
    return GroupNode(uid, label, tooltip, (0 if when else 1, when, label, uid))


def _series(metadata: dict, path: Path) -> GroupNode:
    uid = str(metadata.get("SeriesInstanceUID") or f"file:{path}")
    number = _number(metadata.get("SeriesNumber"))
    description = str(metadata.get("SeriesDescription") or "")
    parts = (metadata.get("Modality"), description or (f"series {number}" if number else ""))
    label = " ".join(str(part) for part in parts if part) or "(series)"
    tooltip = _lines(
        ("Series", description),
        ("Series number", number),
        ("Modality", metadata.get("Modality")),
        ("Series Instance UID", uid),
    )
    return GroupNode(uid, label, tooltip, (0 if number is not None else 1, number or 0, label, uid))


def _groups(metadata: dict, path: Path) -> tuple[GroupNode, ...]:
    """``(patient, study, series)`` for DICOM, ``(Other images, folder)`` otherwise."""
    if "StudyInstanceUID" not in metadata:
        folder = str(path.parent)
        return (
            GroupNode("other", "Other images", "Images that are not DICOM", (1, 0, "", "")),
            GroupNode(folder, path.parent.name or folder, folder, (0, 0, folder, folder)),
        )
    return (_patient(metadata), _study(metadata), _series(metadata, path))


def _image_order(metadata: dict, path: Path) -> Order:
    number = _number(metadata.get("InstanceNumber"))
    return (0 if number is not None else 1, number or 0, path.name, str(path))


def is_image_file(path: Path) -> bool:
    """Whether `path` is an image by its extension or its signature (read or not).

    The browser's scan and the batch tell images from other files (a README) by it.
    """
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    try:
        detect_format(path)
    except XrayError:
        return False
    return True


def scan_images(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ScanEntry | Unreadable]:
    """Read every image under `paths` and yield an entry with a thumbnail.

    Files that cannot be read, folders that cannot be listed, and paths given that
    cannot be looked at are yielded as :class:`Unreadable` with the reason; the scan
    never raises for bad files. A DICOMDIR (a CD's index) is skipped. The reader's
    warnings are silenced, for this thread's reads only.

    Parameters
    ----------
    paths : iterable of path
        Files and folders.

    Yields
    ------
    ScanEntry or Unreadable
    """
    unlisted: list[OSError] = []
    for path in iter_image_files(paths, onerror=unlisted.append):
        yield from _unlisted(unlisted)
        try:
            with collecting_warnings():  # this thread's only: silenced, not shown
                image = read_image(path, digest=False)  # pixels only: no hashing
        except XrayError as error:
            # Named so by PS3.10 8.6, as core.io.sniff.is_image_candidate checks it.
            if path.name.upper() == "DICOMDIR" and is_dicomdir(path):
                continue  # a CD's index, not an image that failed to read
            reason = str(getattr(error, "reason", error))
            yield Unreadable(path, reason, is_image_file(path))
            continue
        stride = max(1, max(image.shape) // THUMBNAIL_SIDE)
        thumb = image.with_pixels(image.pixels[::stride, ::stride])
        grey = (to_display(thumb) * 255).astype(np.uint8)
        rows, cols = image.shape
        yield ScanEntry(
            path,
            _groups(image.metadata, path),
            f"{path.name} ({cols} x {rows})",
            _image_order(image.metadata, path),
            grey,
        )
    yield from _unlisted(unlisted)


def _unlisted(errors: list[OSError]) -> Iterator[Unreadable]:
    """Yield (and take out of `errors`) the folders and paths that could not be looked at.

    The reason says what the path is: a folder (that could not be listed), a file (a
    symbolic link loop or a link to nothing, say), or, where not even that can be
    told (a folder above it cannot be searched), neither.
    """
    while errors:
        error = errors.pop(0)
        path, why = Path(error.filename), error.strerror or error
        if os.path.isdir(path):
            yield Unreadable(path, unlisted_reason(error), True)
        elif os.path.lexists(path):
            yield Unreadable(path, f"cannot read the file: {why}", is_image_file(path))
        else:
            yield Unreadable(path, f"cannot be looked at: {why}", True)
