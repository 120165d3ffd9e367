"""The image browser dock: files found in a folder or opened, grouped by patient/study/series.

:func:`scan_images` (Qt-free) reads the files one by one in a worker and yields a
:class:`ScanEntry` with a small thumbnail per image, or an :class:`Unreadable` with
the reason; :class:`BrowserDock` lists them, sorted, and says when a scan has ended.
"""

from __future__ import annotations

import bisect
import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.display import to_display
from core.errors import XrayError, XrayWarning
from core.io import read_image
from core.io.sniff import detect_format
from xraygui.worker import GeneratorWorker

IMAGE_SUFFIXES = {".dcm", ".dicom", ".png", ".tif", ".tiff", ".jpg", ".jpeg", ".npy", ""}
"""File endings tried when scanning a folder ("" for DICOM files without an extension)."""

THUMBNAIL_SIDE = 64
PATH_ROLE = Qt.ItemDataRole.UserRole
PREFERRED_WIDTH = 320
"""Width the dock opens with where the window has room (px); no minimum, which would
widen the whole window even while the dock is hidden."""
INDENTATION = 12
"""Indentation per tree level (px), less than Qt's 20 so that names fit a narrow dock."""

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
        False for a file that is not an image at all.
    """

    path: Path
    reason: str
    is_image: bool


def iter_image_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files to try, in a stable order; folders are walked recursively.

    Parameters
    ----------
    paths : iterable of path
        Files and folders.

    Yields
    ------
    Path
    """
    for path in map(Path, paths):
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if not name.startswith(".") and candidate.suffix.lower() in IMAGE_SUFFIXES:
                        yield candidate
        elif path.is_file():
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


def _is_image_file(path: Path) -> bool:
    """Whether `path` is an image by its extension or its signature (read or not)."""
    if path.suffix.lower() in IMAGE_SUFFIXES - {""}:
        return True
    try:
        detect_format(path)
    except XrayError:
        return False
    return True


def scan_images(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ScanEntry | Unreadable]:
    """Read every image under `paths` and yield an entry with a thumbnail.

    Files that cannot be read are yielded as :class:`Unreadable` with the reason;
    the scan never raises for bad files.

    Parameters
    ----------
    paths : iterable of path
        Files and folders.

    Yields
    ------
    ScanEntry or Unreadable
    """
    for path in iter_image_files(paths):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", XrayWarning)
                image = read_image(path)
        except XrayError as error:
            reason = str(getattr(error, "reason", error))
            yield Unreadable(path, reason, _is_image_file(path))
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


def grey_icon(grey: np.ndarray) -> QIcon:
    """Make an icon from uint8 grey levels."""
    grey = np.ascontiguousarray(grey)
    rows, cols = grey.shape
    image = QImage(grey.data, cols, rows, cols, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(image))


_FAILED = GroupNode(
    "failed", "Could not be read", "Image files the reader rejected", (2, 0, "", "")
)
_NOT_IMAGES = GroupNode("not images", "Not images", "Files of no image format", (2, 1, "", ""))


class _Body(QWidget):
    """The dock's contents, opening :data:`PREFERRED_WIDTH` wide."""

    def sizeHint(self) -> QSize:  # noqa: D102
        hint = super().sizeHint()
        return QSize(max(hint.width(), PREFERRED_WIDTH), hint.height())


class BrowserDock(QDockWidget):
    """A tree of the images found: Patient > Study > Series > image (double-click opens).

    Images are sorted by instance number within a series, series by number and
    studies by date. Files that could not be read are listed with the reason under
    "Could not be read" (image files) or "Not images".
    """

    openRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Images", parent)
        self.setObjectName("browser")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setIndentation(INDENTATION)
        self.tree.setIconSize(
            self.tree.iconSize().expandedTo(
                QPixmap(THUMBNAIL_SIDE // 2, THUMBNAIL_SIDE // 2).size()
            )
        )
        # One column as wide as its longest name: long names scroll instead of eliding.
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._activated)
        self.summary = QLabel("Open a folder (File > Open Folder) to list its images.")
        self.summary.setWordWrap(True)
        body = _Body()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree)
        self.setWidget(body)
        self._nodes: dict[tuple[str, ...], QTreeWidgetItem] = {}
        self._orders: dict[tuple[str, ...], list[Order]] = {}
        self._paths: set[Path] = set()
        self._unreadable: list[Unreadable] = []
        self._scans: set[GeneratorWorker] = set()

    def clear(self) -> None:
        """Forget every entry, and stop and ignore the scans still running."""
        for worker in self._scans:
            worker.quit()
        self._scans.clear()
        self.tree.clear()
        self._nodes.clear()
        self._orders.clear()
        self._paths.clear()
        self._unreadable.clear()

    @property
    def count(self) -> int:
        """Images listed."""
        return len(self._paths) - len(self._unreadable)

    @property
    def skipped(self) -> int:
        """Files that could not be listed as images (unreadable or not images)."""
        return len(self._unreadable)

    @property
    def scanning(self) -> bool:
        """Whether a scan started with :meth:`begin_scan` is still running."""
        return bool(self._scans)

    def begin_scan(self, worker: GeneratorWorker, *, clear: bool) -> None:
        """List what `worker` (running :func:`scan_images`) finds; call before starting it.

        With `clear`, the list and every earlier scan are dropped: those are asked
        to stop and whatever they still send is ignored. Without it, the results
        join the list and earlier scans go on. The summary says "Scanning..." until
        the last scan ends, then what was found.

        Parameters
        ----------
        worker : GeneratorWorker
            The scan, not started yet.
        clear : bool
            Whether to empty the list first.
        """
        if clear:
            self.clear()
        self._scans.add(worker)
        worker.yielded.connect(partial(self._scan_yielded, worker))
        worker.finished.connect(partial(self._scan_finished, worker))
        self.show()
        self.raise_()
        self._update_summary()

    def _scan_yielded(self, worker: GeneratorWorker, entry: ScanEntry | Unreadable) -> None:
        if worker in self._scans:
            self.add(entry)

    def _scan_finished(self, worker: GeneratorWorker) -> None:
        if worker in self._scans:
            self._scans.discard(worker)
            self._update_summary()

    def add(self, entry: ScanEntry | Unreadable) -> None:
        """List one scan result: an image under its series, or an unreadable file."""
        path = entry.path.resolve()
        if path not in self._paths:
            self._paths.add(path)
            if isinstance(entry, ScanEntry):
                self._add_image(entry)
            else:
                self._add_unreadable(entry)
        self._update_summary()

    def _add_image(self, entry: ScanEntry) -> None:
        key, parent = self._group_node(entry.groups)
        item = QTreeWidgetItem([entry.label])
        item.setIcon(0, grey_icon(entry.thumbnail))
        item.setData(0, PATH_ROLE, str(entry.path))
        item.setToolTip(0, str(entry.path))
        self._insert(key, parent, item, entry.order)

    def _add_unreadable(self, entry: Unreadable) -> None:
        self._unreadable.append(entry)
        group = _FAILED if entry.is_image else _NOT_IMAGES
        key, parent = self._group_node((group,))
        total = sum(1 for other in self._unreadable if other.is_image == entry.is_image)
        parent.setText(0, f"{group.label} ({total})")
        item = QTreeWidgetItem([f"{entry.path.name}: {entry.reason}"])
        item.setToolTip(0, f"{entry.path}\n{entry.reason}")
        self._insert(key, parent, item, (0, 0, entry.path.name, str(entry.path)))

    def _group_node(
        self, groups: tuple[GroupNode, ...]
    ) -> tuple[tuple[str, ...], QTreeWidgetItem | None]:
        """Return the key and node of the last of `groups`, making the nodes as needed."""
        key: tuple[str, ...] = ()
        parent: QTreeWidgetItem | None = None
        for group in groups:
            parent_key, key = key, (*key, group.key)
            if key not in self._nodes:
                node = QTreeWidgetItem([group.label])
                node.setToolTip(0, group.tooltip)
                self._insert(parent_key, parent, node, group.order)
                node.setExpanded(group not in (_FAILED, _NOT_IMAGES))
                self._nodes[key] = node
            parent = self._nodes[key]
        return key, parent

    def _insert(
        self,
        parent_key: tuple[str, ...],
        parent: QTreeWidgetItem | None,
        item: QTreeWidgetItem,
        order: Order,
    ) -> None:
        """Insert `item` among its siblings in `order`."""
        orders = self._orders.setdefault(parent_key, [])
        index = bisect.bisect(orders, order)
        orders.insert(index, order)
        if parent is None:
            self.tree.insertTopLevelItem(index, item)
        else:
            parent.insertChild(index, item)

    def _update_summary(self) -> None:
        failed = sum(1 for entry in self._unreadable if entry.is_image)
        found = f"{self.count} image(s)" if self.count else "No images found"
        notes = [f"{failed} could not be read"] if failed else []
        if self.skipped - failed:
            notes.append(f"{self.skipped - failed} file(s) are not images")
        text = found + (f"; {', '.join(notes)} (listed below)" if notes else ".")
        self.summary.setText(f"Scanning... {text}" if self._scans else text)

    def _activated(self, item: QTreeWidgetItem) -> None:
        path = item.data(0, PATH_ROLE)
        if path:
            self.openRequested.emit(Path(path))
