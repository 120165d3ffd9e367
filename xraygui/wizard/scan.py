"""Background scan of a training folder: what is there, what is unusable, how it splits.

Qt-free: :func:`scan_folder` is a generator for :class:`xraygui.worker.GeneratorWorker`,
yielding ``(done, total)`` after every file and returning a :class:`ScanReport`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.display import to_display
from core.errors import XrayError
from core.image import XrayImage
from core.io import read_image
from core.io.sniff import detect_format
from core.training.config import TrainConfig
from core.training.data import assign_patients, find_images, frame_records, split_by_patient
from core.training.patient_table import log as patient_table_log

THUMBNAIL = 96
"""Longest side of the thumbnails, in pixels."""
MAX_THUMBNAILS = 24


@dataclass
class ScanReport:
    """What a folder holds for training.

    Parameters
    ----------
    folder : Path
        The folder scanned.
    formats, modalities, body_parts : Counter
        Usable images counted by format, DICOM Modality and BodyPartExamined
        (``"not given"`` where absent).
    sizes : list of (int, int)
        Rows and columns of each usable image.
    unusable : list of (Path, str)
        Files that cannot be read, and why.
    thumbnails : list of (Path, ndarray)
        Display grey levels (uint8) of the first usable images.
    train_images, val_images, train_patients, val_patients : int
        The split training will use (whole patients or studies held out).
    split_kind : str
        How images were grouped into patients.
    split_notes : list of str
        What training will warn of in the split (a ``data.csv`` it cannot use, say).
    """

    folder: Path
    formats: Counter = field(default_factory=Counter)
    modalities: Counter = field(default_factory=Counter)
    body_parts: Counter = field(default_factory=Counter)
    sizes: list[tuple[int, int]] = field(default_factory=list)
    unusable: list[tuple[Path, str]] = field(default_factory=list)
    thumbnails: list[tuple[Path, np.ndarray]] = field(default_factory=list)
    train_images: int = 0
    val_images: int = 0
    train_patients: int = 0
    val_patients: int = 0
    split_kind: str = "by file"
    split_notes: list[str] = field(default_factory=list)

    @property
    def n_usable(self) -> int:
        """Number of readable images."""
        return len(self.sizes)

    def size_range(self) -> str:
        """``"rows x cols"`` of the smallest and largest image, or ``"-"``."""
        if not self.sizes:
            return "-"
        small = min(self.sizes, key=lambda s: s[0] * s[1])
        large = max(self.sizes, key=lambda s: s[0] * s[1])
        return f"{small[0]}x{small[1]} to {large[0]}x{large[1]}"


def thumbnail(image: XrayImage, side: int = THUMBNAIL) -> np.ndarray:
    """Return a small uint8 display image (longest side at most ``side``, strided)."""
    grey = to_display(image)
    step = max(1, int(np.ceil(max(grey.shape) / side)))
    return np.ascontiguousarray(np.round(grey[::step, ::step] * 255).astype(np.uint8))


def scan_folder(folder: Path) -> Generator[tuple[int, int], None, ScanReport]:
    """Read every image under ``folder`` and report on it.

    Parameters
    ----------
    folder : Path
        The training folder (searched recursively, as training does).

    Yields
    ------
    (int, int)
        Files done and files in all.

    Returns
    -------
    ScanReport
    """
    report = ScanReport(folder)
    paths = find_images(folder)
    usable: dict[Path, int] = {}  # readable file -> its frames, each a training image
    for done, path in enumerate(paths, 1):
        try:
            image = read_image(path)
            kind = detect_format(path)
        except (XrayError, OSError, ValueError) as error:
            report.unusable.append((path, getattr(error, "reason", None) or str(error)))
        else:
            usable[path] = image.n_frames
            report.formats[kind.upper()] += 1
            report.modalities[str(image.metadata.get("Modality", "not given"))] += 1
            report.body_parts[str(image.metadata.get("BodyPartExamined", "not given"))] += 1
            report.sizes.append(image.pixels.shape[:2])
            if len(report.thumbnails) < MAX_THUMBNAILS:
                report.thumbnails.append((path, thumbnail(image)))
        yield done, len(paths)
    _split(report, folder, usable)
    return report


def _split(report: ScanReport, folder: Path, usable: dict[Path, int]) -> None:
    """Fill in the patient split that training will make (same function, same seed).

    Every frame of a multi-frame file is a training image of the file's patient.
    """
    defaults = TrainConfig(data=folder, output=folder / "unused.safetensors")
    with _warnings_of(patient_table_log) as notes:
        assigned = assign_patients(folder, find_images(folder))
    report.split_notes = notes
    records = [
        frame
        for record in assigned
        if record.path in usable
        for frame in frame_records(record, usable[record.path])
    ]
    train, val = split_by_patient(
        records, val_fraction=defaults.val_fraction, seed=defaults.split_seed
    )
    report.train_images, report.val_images = len(train), len(val)
    report.train_patients = len({r.patient_id for r in train})
    report.val_patients = len({r.patient_id for r in val})
    sources = Counter(split_source(r.patient_id) for r in records)
    report.split_kind = "by " + ", ".join(
        f"{source} ({n} image{'s' if n != 1 else ''})" for source, n in sorted(sources.items())
    )


@contextmanager
def _warnings_of(logger: logging.Logger) -> Iterator[list[str]]:
    """Collect the warnings `logger` emits meanwhile (training logs them; the wizard shows)."""
    notes: list[str] = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = lambda record: notes.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        yield notes
    finally:
        logger.removeHandler(handler)


def split_source(patient_id: str) -> str:
    """Name where an image's patient came from, as :func:`assign_patients` found it."""
    kind = patient_id.split(":", 1)[0] if ":" in patient_id else ""
    return {
        "dicom-patient": "DICOM PatientID",
        "dicom-study": "DICOM study",
        "file": "file (no patient known)",
    }.get(kind, "patient in data.csv")
