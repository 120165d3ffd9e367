"""Background scan of a training folder: what is there, what is unusable, how it splits.

Qt-free: :func:`scan_folder` is a generator for :class:`xraygui.worker.GeneratorWorker`,
yielding ``(done, total)`` between its walks of the folder and after every file's header
and every file, and returning a :class:`ScanReport`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from core.display import to_display
from core.errors import XrayError
from core.image import XrayImage
from core.io import read_image
from core.io.sniff import detect_format
from core.training.config import TrainConfig
from core.training.data import (
    BLANK_REASON,
    ImageRecord,
    PixelIdentity,
    assign_patients,
    describe_source,
    frame_records,
    is_blank,
    join_copies,
    patient_tables,
    pixel_identity,
    read_header,
    sort_files,
    without_padding,
)
from core.training.patient_table import log as patient_table_log
from core.training.selection import Selection, SelectionRule, select_images
from core.training.selection import split_source as split_source  # moved to core; kept here

THUMBNAIL = 96
"""Longest side of the thumbnails, in pixels."""
MAX_THUMBNAILS = 24
DEFAULTS = TrainConfig(data=Path("."), output=Path("unused.safetensors"))
"""The training settings a new wizard run starts from (patch size, binning, split)."""


@dataclass(frozen=True)
class ScannedImage:
    """A readable image (a file, or one frame of it) of the folder.

    Parameters
    ----------
    record : ImageRecord
        The file, frame and patient, as training makes them.
    shape : (int, int)
        Rows and columns once padding is cropped away, as training crops it.
    format, modality, body_part : str
        The file's format, DICOM Modality and BodyPartExamined (``"not given"``).
    identity : PixelIdentity
        Its decoded pixels' identity, by which copies of one image are one patient's
        (:func:`core.training.data.join_copies`), as training joins them.
    blank : bool
        Whether it has one value throughout (:func:`core.training.data.is_blank`): a
        blank frame, which training leaves out.
    """

    record: ImageRecord
    shape: tuple[int, int]
    format: str
    modality: str
    body_part: str
    identity: PixelIdentity
    blank: bool = False


@dataclass
class ScanReport:
    """What a folder holds for training.

    Every count is of images, each frame of a multi-frame file an image, as training
    counts them; "usable" means what training uses (:func:`select_images`): readable,
    not blank (:func:`core.training.data.is_blank`) and large enough for a patch of
    :attr:`patch_size` once binned :attr:`binning`.

    Parameters
    ----------
    folder : Path
        The folder scanned.
    n_image_files : int
        Files taken as images (by suffix or as DICOM), readable or not.
    tables : list of Path
        The folder's ``data.csv`` tables, ignored or not.
    tables_ignored : bool
        Whether the split was made without them (``--ignore-patient-table``).
    readable : list of ScannedImage
        Every image that could be read.
    unreadable : list of (Path, str)
        Files not taken as images (a DICOMDIR, a text, say), then files (or frames: the
        reason names them) that cannot be read, and why
        (:func:`core.io.sniff.why_not_an_image`, :func:`core.io.read_image`).
    thumbnails : list of (Path, ndarray)
        Display grey levels (uint8) of the first files with an image that is not blank,
        each of its first such frame (a blank one is left out, as training leaves it).
    preview : (Path, int) or None
        The file and frame (from 0) of the first thumbnail: the Noise page previews it.
    split_notes : list of str
        What training will warn of in the split (a ``data.csv`` it cannot use, say).
    patch_size, binning : int
        The training settings :meth:`select` last applied.
    selection : Selection or None
        The images training will use and the patients it holds out.
    formats, modalities, body_parts : Counter
        Usable images counted by format, DICOM Modality and BodyPartExamined.
    sizes : list of (int, int)
        Rows and columns of each usable image.
    unusable : list of (Path, str)
        Files that cannot be read, then blank images, then images too small for a patch,
        and why.
    train_images, val_images, train_patients, val_patients : int
        The split training will use (whole patients or studies held out).
    split_kind : str
        How images were grouped into patients.
    joined_by_pixels : list of Path
        The files whose copies of one image joined their patients, as training joins them.
    terms : dict
        The licence and attribution texts the model card will record
        (:func:`core.training.data.describe_source`, as training looks them up).
    """

    folder: Path
    n_image_files: int = 0
    tables: list[Path] = field(default_factory=list)
    tables_ignored: bool = False
    readable: list[ScannedImage] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    thumbnails: list[tuple[Path, np.ndarray]] = field(default_factory=list)
    preview: tuple[Path, int] | None = None
    joined_by_pixels: list[Path] = field(default_factory=list)
    split_notes: list[str] = field(default_factory=list)
    patch_size: int = DEFAULTS.patch_size
    binning: int = DEFAULTS.binning
    selection: Selection | None = None
    formats: Counter = field(default_factory=Counter)
    modalities: Counter = field(default_factory=Counter)
    body_parts: Counter = field(default_factory=Counter)
    sizes: list[tuple[int, int]] = field(default_factory=list)
    unusable: list[tuple[Path, str]] = field(default_factory=list)
    train_images: int = 0
    val_images: int = 0
    train_patients: int = 0
    val_patients: int = 0
    split_kind: str = "by file"
    terms: dict = field(default_factory=dict)

    @property
    def n_usable(self) -> int:
        """Number of images training will use (each frame of a multi-frame file one)."""
        return len(self.sizes)

    @property
    def all_blank(self) -> bool:
        """Whether every readable image is blank (training would have nothing; False if none)."""
        return bool(self.readable) and all(image.blank for image in self.readable)

    @property
    def n_usable_files(self) -> int:
        """Number of files with an image that training will use."""
        return len({image.record.path for image in self._usable()})

    def size_range(self) -> str:
        """``"rows x cols"`` of the smallest and largest image, or ``"-"``."""
        if not self.sizes:
            return "-"
        small = min(self.sizes, key=lambda s: s[0] * s[1])
        large = max(self.sizes, key=lambda s: s[0] * s[1])
        return f"{small[0]}x{small[1]} to {large[0]}x{large[1]}"

    def usable_thumbnails(self) -> list[tuple[Path, np.ndarray]]:
        """Return the thumbnails of the files with an image that training will use."""
        paths = {image.record.path for image in self._usable()}
        return [(path, grey) for path, grey in self.thumbnails if path in paths]

    def select(self, *, patch_size: int, binning: int) -> None:
        """Decide, as training will, which images train and which patients are held out.

        Parameters
        ----------
        patch_size, binning : int
            The training settings; the split's are training's defaults.
        """
        self.patch_size, self.binning = patch_size, binning
        rule = replace(SelectionRule.of(DEFAULTS), patch_size=patch_size, binning=binning)
        shown = [image for image in self.readable if not image.blank]  # as training drops them
        selection = select_images([(im.record, im.shape) for im in shown], rule)
        self.selection = selection
        usable = self._usable()
        self.formats = Counter(image.format for image in usable)
        self.modalities = Counter(image.modality for image in usable)
        self.body_parts = Counter(image.body_part for image in usable)
        self.sizes = [image.shape for image in usable]
        blank = [
            (r.path, BLANK_REASON if r.n_frames == 1 else f"{r.frame_label}: {BLANK_REASON}")
            for r in (image.record for image in self.readable if image.blank)
        ]
        self.unusable = self.unreadable + blank + selection.skipped()
        train, val = selection.train, selection.val
        self.train_images, self.val_images = len(train), len(val)
        self.train_patients = len({r.patient_id for r in train})
        self.val_patients = len({r.patient_id for r in val})
        self.split_kind = "by " + ", ".join(
            f"{source} ({n} image{'s' if n != 1 else ''})"
            for source, n in sorted(selection.sources().items())
        )

    def _usable(self) -> list[ScannedImage]:
        used = set() if self.selection is None else set(self.selection.images)
        return [image for image in self.readable if image.record in used]


def thumbnail(image: XrayImage, side: int = THUMBNAIL) -> np.ndarray:
    """Return a small uint8 display image (longest side at most ``side``, strided)."""
    grey = to_display(image)
    step = max(1, int(np.ceil(max(grey.shape) / side)))
    return np.ascontiguousarray(np.round(grey[::step, ::step] * 255).astype(np.uint8))


def scan_folder(
    folder: Path,
    *,
    patch_size: int = DEFAULTS.patch_size,
    binning: int = DEFAULTS.binning,
    ignore_tables: bool = False,
) -> Generator[tuple[int, int], None, ScanReport]:
    """Read every image under ``folder`` and report on it.

    Parameters
    ----------
    folder : Path
        The training folder (searched recursively, as training does).
    patch_size, binning : int
        The training settings that decide which images are large enough
        (:meth:`ScanReport.select`).
    ignore_tables : bool
        Split without the ``data.csv`` tables, as training with
        ``--ignore-patient-table`` does.

    Yields
    ------
    (int, int)
        Files done and files in all: ``(0, 0)`` while the folder is walked, then
        ``(0, n)`` while the images' patients are assigned (after each file's header).

    Returns
    -------
    ScanReport

    Raises
    ------
    core.training.patient_table.PatientTableError
        If a table cannot be used (and ``ignore_tables`` is False): training would refuse.
    """
    report = ScanReport(folder, tables=patient_tables(folder), tables_ignored=ignore_tables)
    yield 0, 0  # after each walk of the folder, as after each file, an abandoned scan stops
    unlisted: list[tuple[Path, str]] = []
    not_images: list[tuple[Path, str]] = []
    paths, _ = sort_files(folder, unreadable=unlisted, not_images=not_images)  # one walk
    report.n_image_files = len(paths)
    report.unreadable = not_images + unlisted
    yield 0, len(paths)
    headers: dict[Path, tuple[bool, tuple[str, ...]]] = {}
    for path in paths:  # the patients' headers, one file at a time
        headers[path] = read_header(path)
        yield 0, len(paths)
    with _warnings_of(patient_table_log) as notes:
        records = assign_patients(folder, paths, ignore_tables=ignore_tables, headers=headers)
    report.split_notes = notes
    for done, record in enumerate(records, 1):
        _scan_file(report, record)
        yield done, len(records)
    with _warnings_of(patient_table_log) as notes:
        joined, report.joined_by_pixels = join_copies(
            [(image.record, image.identity) for image in report.readable]
        )
    report.split_notes += notes
    report.terms = describe_source(folder)
    report.readable = [
        replace(image, record=record) for image, record in zip(report.readable, joined, strict=True)
    ]
    report.select(patch_size=patch_size, binning=binning)
    return report


def _scan_file(report: ScanReport, record: ImageRecord) -> None:
    """Read each frame of a file as training does; add its images or why it is unusable."""
    path = record.path
    try:
        image = read_image(path, digest=False)  # as training reads it: no hashing
        kind = detect_format(path).upper()
        shape, blank = _cropped_shape(image)
        identity = pixel_identity(image.pixels)
    except (XrayError, OSError, ValueError) as error:
        report.unreadable.append((path, _reason(error, path)))
        return
    modality = str(image.metadata.get("Modality", "not given"))
    body_part = str(image.metadata.get("BodyPartExamined", "not given"))
    frames = frame_records(record, image.n_frames) if image.n_frames > 1 else [record]
    shown: XrayImage | None = None  # the thumbnail's frame: the first that is not blank
    shown_frame = 0
    for frame in frames:
        frame_image = image
        if frame.frame > 0:
            try:
                frame_image = read_image(path, frame=frame.frame, digest=False)
                shape, blank = _cropped_shape(frame_image)
                identity = pixel_identity(frame_image.pixels)
            except (XrayError, OSError, ValueError) as error:
                reason = _reason(error, path)
                report.unreadable.append((path, f"{frame.frame_label}: {reason}"))
                continue
        if shown is None and not blank:
            shown, shown_frame = frame_image, frame.frame
        scanned = ScannedImage(frame, shape, kind, modality, body_part, identity, blank)
        report.readable.append(scanned)
    if shown is not None and len(report.thumbnails) < MAX_THUMBNAILS:
        report.thumbnails.append((path, thumbnail(shown)))
        if report.preview is None:
            report.preview = (path, shown_frame)


def _cropped_shape(image: XrayImage) -> tuple[tuple[int, int], bool]:
    """Return an image's rows and columns once its padding is cropped, and whether it is blank.

    As training crops and judges it (:func:`core.training.data.is_blank`).
    """
    pixels, padding = without_padding(image.pixels, image.padding_mask)
    rows, cols = pixels.shape[:2]
    return (rows, cols), is_blank(pixels, padding)


_CAUSE = re.compile(r"\s*\(\w*(?:Error|Exception|Warning)\w*:.*\)$")
"""A decoder's exception, as a reason ends with it: ``" (UnidentifiedImageError: ...)"``."""


def _reason(error: Exception, path: Path) -> str:
    """Say briefly why a file cannot be read: its list entry already names it."""
    reason = getattr(error, "reason", None) or str(error)
    reason = _CAUSE.sub("", reason)
    for named in (f"'{path}'", f'"{path}"', str(path)):
        reason = reason.replace(named, path.name)
    return reason


@contextmanager
def _warnings_of(logger: logging.Logger) -> Iterator[list[str]]:
    """Collect the warnings `logger` emits meanwhile in this thread (the wizard shows them).

    Training logs them; those of a scan abandoned in another thread are not this scan's.
    """
    notes: list[str] = []
    thread = threading.get_ident()
    handler = logging.Handler(level=logging.WARNING)
    handler.addFilter(lambda record: record.thread == thread)
    handler.emit = lambda record: notes.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        yield notes
    finally:
        logger.removeHandler(handler)
