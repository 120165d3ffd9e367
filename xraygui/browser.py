"""The image browser dock: files found in a folder or opened, grouped by patient/study/series.

:class:`BrowserDock` lists what :func:`xraygui.catalog.scan_images` finds, sorted, and
says when a scan has ended.
"""

from __future__ import annotations

import bisect
from functools import partial
from pathlib import Path

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

from core.io.paths import resolved
from xraygui.catalog import THUMBNAIL_SIDE, GroupNode, Order, ScanEntry, Unreadable
from xraygui.worker import GeneratorWorker

PATH_ROLE = Qt.ItemDataRole.UserRole
PREFERRED_WIDTH = 320
"""Width the dock opens with where the window has room (px); no minimum, which would
widen the whole window even while the dock is hidden."""
INDENTATION = 12
"""Indentation per tree level (px), less than Qt's 20 so that names fit a narrow dock."""


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
    "Could not be read" (image files) or "Not images". The image the window shows is
    the one selected (:meth:`show_current`), whichever was activated last.
    """

    openRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Images", parent)
        self.setObjectName("browser")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Images")
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
        self._items: dict[Path, QTreeWidgetItem] = {}  # each image's, by its resolved path
        self._current: Path | None = None  # the file the window shows, resolved
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
        self._items.clear()
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
        """Whether a scan started with :meth:`begin_scan` is still running.

        For tests; the app does not read it.
        """
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
        path = resolved(entry.path)
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
        path = resolved(entry.path)
        self._items[path] = item
        if path == self._current:  # listed after it was opened
            self._select_current()

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

    def show_current(self, path: Path | None) -> None:
        """Select the image the window shows, or nothing where it is not listed.

        Called after every open, and every open refused (a job running, a file that
        cannot be read): the selection never stays on an image that is not shown. An
        image listed later (a scan still running) is selected when it comes.

        Parameters
        ----------
        path : Path or None
            The file shown (None: no image, or one not from a file).
        """
        self._current = None if path is None else resolved(path)
        self._select_current()

    def _select_current(self) -> None:
        item = None if self._current is None else self._items.get(self._current)
        if item is None:
            self.tree.setCurrentItem(None)
            self.tree.clearSelection()
        else:
            self.tree.setCurrentItem(item)
            self.tree.scrollToItem(item)

    def _activated(self, item: QTreeWidgetItem) -> None:
        path = item.data(0, PATH_ROLE)
        if path:
            self.openRequested.emit(Path(path))
