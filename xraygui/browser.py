"""The image browser dock: files found in a folder or opened, grouped by patient/study/series.

:func:`scan_images` (Qt-free) reads the files one by one in a worker and yields a
:class:`ScanEntry` with a small thumbnail per image; :class:`BrowserDock` lists them.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.display import to_display
from core.errors import XrayError, XrayWarning
from core.io import read_image

IMAGE_SUFFIXES = {".dcm", ".dicom", ".png", ".tif", ".tiff", ".jpg", ".jpeg", ".npy", ""}
"""File endings tried when scanning a folder ("" for DICOM files without an extension)."""

THUMBNAIL_SIDE = 64
PATH_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class ScanEntry:
    """One readable image found by :func:`scan_images`.

    Parameters
    ----------
    path : Path
        The file.
    group : tuple of str
        ``(patient, study, series)`` for DICOM; ``("Other images", folder, "")`` otherwise.
    label : str
        Short description (file name, size).
    thumbnail : ndarray of uint8
        Display grey levels, at most :data:`THUMBNAIL_SIDE` pixels a side.
    """

    path: Path
    group: tuple[str, str, str]
    label: str
    thumbnail: np.ndarray


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


def _group(metadata: dict, path: Path) -> tuple[str, str, str]:
    if "StudyInstanceUID" not in metadata:
        return ("Other images", str(path.parent), "")
    patient = str(metadata.get("PatientName") or metadata.get("PatientID") or "(no patient)")
    study = " ".join(
        str(metadata[k]) for k in ("StudyDate", "StudyDescription") if metadata.get(k)
    ) or str(metadata["StudyInstanceUID"])
    series = str(metadata.get("SeriesDescription") or metadata.get("SeriesNumber") or "(series)")
    modality = metadata.get("Modality")
    return (patient, study, f"{modality} {series}" if modality else series)


def scan_images(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ScanEntry | Path]:
    """Read every image under `paths` and yield an entry with a thumbnail.

    Files that are not readable images are yielded as their bare ``Path`` (so a
    caller can count them); the scan never raises for bad files.

    Parameters
    ----------
    paths : iterable of path
        Files and folders.

    Yields
    ------
    ScanEntry or Path
    """
    for path in iter_image_files(paths):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", XrayWarning)
                image = read_image(path)
        except XrayError:
            yield path
            continue
        stride = max(1, max(image.shape) // THUMBNAIL_SIDE)
        thumb = image.with_pixels(image.pixels[::stride, ::stride])
        grey = (to_display(thumb) * 255).astype(np.uint8)
        rows, cols = image.shape
        yield ScanEntry(path, _group(image.metadata, path), f"{path.name} ({cols} x {rows})", grey)


def grey_icon(grey: np.ndarray) -> QIcon:
    """Make an icon from uint8 grey levels."""
    grey = np.ascontiguousarray(grey)
    rows, cols = grey.shape
    image = QImage(grey.data, cols, rows, cols, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(image))


class BrowserDock(QDockWidget):
    """A tree of the images found: Patient > Study > Series > image (double-click opens)."""

    openRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Images", parent)
        self.setObjectName("browser")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(
            self.tree.iconSize().expandedTo(
                QPixmap(THUMBNAIL_SIDE // 2, THUMBNAIL_SIDE // 2).size()
            )
        )
        self.tree.itemActivated.connect(self._activated)
        self.summary = QLabel("Open a folder (File > Open Folder) to list its images.")
        self.summary.setWordWrap(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree)
        self.setWidget(body)
        self._nodes: dict[tuple[str, ...], QTreeWidgetItem] = {}
        self._paths: set[Path] = set()
        self.skipped = 0

    def clear(self) -> None:
        """Forget every entry."""
        self.tree.clear()
        self._nodes.clear()
        self._paths.clear()
        self.skipped = 0

    @property
    def count(self) -> int:
        """Images listed."""
        return len(self._paths)

    def add(self, entry: ScanEntry | Path) -> None:
        """List one scan result (a bare Path counts as skipped)."""
        if not isinstance(entry, ScanEntry):
            self.skipped += 1
        elif entry.path.resolve() not in self._paths:
            self._paths.add(entry.path.resolve())
            parent = self._node(entry.group)
            item = QTreeWidgetItem(parent, [entry.label])
            item.setIcon(0, grey_icon(entry.thumbnail))
            item.setData(0, PATH_ROLE, str(entry.path))
            item.setToolTip(0, str(entry.path))
        self.summary.setText(
            f"{self.count} image(s)"
            + (f", {self.skipped} other file(s) skipped" if self.skipped else "")
        )

    def _node(self, group: tuple[str, str, str]) -> QTreeWidgetItem | QTreeWidget:
        parent: QTreeWidgetItem | QTreeWidget = self.tree
        key: tuple[str, ...] = ()
        for part in group:
            if not part:
                continue
            key = (*key, part)
            if key not in self._nodes:
                node = QTreeWidgetItem(parent, [part])
                node.setExpanded(True)
                self._nodes[key] = node
            parent = self._nodes[key]
        return parent

    def _activated(self, item: QTreeWidgetItem) -> None:
        path = item.data(0, PATH_ROLE)
        if path:
            self.openRequested.emit(Path(path))
