"""A dock that lists the DICOM header of the open image, with a search box."""

from __future__ import annotations

import textwrap
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDockWidget,
    QHeaderView,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("Tag", "Name", "VR", "Value")
VALUE_COLUMN = COLUMNS.index("Value")
MAX_VALUE_CHARS = 200
"""Longest value shown in its cell; the tooltip and "Copy value" give more."""
MAX_TOOLTIP_CHARS = 4000
TOOLTIP_LINE_CHARS = 100
MAX_NAME_WIDTH = 140
"""Widest the Name column opens (px), so that the Value column stays in view."""
PREFERRED_WIDTH = 420
"""Width the dock opens with (px)."""
INDENTATION = 12
"""Indentation per tree level (px), less than Qt's 20 so that the Tag column stays narrow."""
FULL_VALUE_ROLE = Qt.ItemDataRole.UserRole


def _full_text(element: Any) -> str:
    if element.VR in ("OB", "OW", "OF", "OD", "OL", "OV", "UN"):
        return f"<{len(element.value or b'')} bytes>" if element.value is not None else ""
    return str(element.value)


def _value_item(element: Any) -> QStandardItem:
    """Make a Value cell: the text cut at :data:`MAX_VALUE_CHARS`, all of it on hover and copy."""
    text = _full_text(element)
    if len(text) <= MAX_VALUE_CHARS:
        return QStandardItem(text)
    item = QStandardItem(text[:MAX_VALUE_CHARS] + "...")
    item.setData(text, FULL_VALUE_ROLE)
    tip = textwrap.fill(text[:MAX_TOOLTIP_CHARS], TOOLTIP_LINE_CHARS, replace_whitespace=False)
    if len(text) > MAX_TOOLTIP_CHARS:
        tip += f"\n... ({len(text)} characters in all: right-click > Copy value)"
    item.setToolTip(tip)
    return item


def _add_elements(parent: QStandardItem | QStandardItemModel, dataset: Any) -> None:
    for element in dataset:
        tag = f"({element.tag.group:04X},{element.tag.element:04X})"
        row = [QStandardItem(text) for text in (tag, element.name, element.VR)]
        if element.VR == "SQ":
            row.append(QStandardItem(f"{len(element.value)} item(s)"))
            for index, item in enumerate(element.value, start=1):
                child = QStandardItem(f"Item {index}")
                _add_elements(child, item)
                row[0].appendRow([child, QStandardItem(), QStandardItem(), QStandardItem()])
        else:
            row.append(_value_item(element))
        for item in row:
            item.setEditable(False)
        parent.appendRow(row)


class _Body(QWidget):
    """The dock's contents, opening :data:`PREFERRED_WIDTH` wide."""

    def sizeHint(self) -> QSize:  # noqa: D102
        hint = super().sizeHint()
        return QSize(max(hint.width(), PREFERRED_WIDTH), hint.height())


class TagBrowser(QDockWidget):
    """DICOM tags of the current image (file meta first), filtered by any column's text.

    A sequence that matches the search shows all its items. Values too long for
    their cell are complete in the tooltip and in "Copy value" (Ctrl+C).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("DICOM tags", parent)
        self.setObjectName("tag_browser")
        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setAutoAcceptChildRows(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search tags (name, number or value)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search DICOM tags")
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setAccessibleName("DICOM tags")
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setIndentation(INDENTATION)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.copy_action = QAction("Copy value", self.tree)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_value)
        self.tree.addAction(self.copy_action)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        body = _Body()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.setWidget(body)

    def set_dataset(self, dataset: Any) -> None:
        """List the elements of a pydicom dataset (None for non-DICOM images)."""
        self.model.removeRows(0, self.model.rowCount())
        if dataset is None:
            self.model.appendRow([QStandardItem("(not a DICOM image)")])
            return
        meta = getattr(dataset, "file_meta", None)
        if meta is not None:
            _add_elements(self.model, meta)
        _add_elements(self.model, dataset)
        for column in range(VALUE_COLUMN):
            self.tree.resizeColumnToContents(column)
        header = self.tree.header()
        header.resizeSection(1, min(header.sectionSize(1), MAX_NAME_WIDTH))

    def value_text(self, index: QModelIndex) -> str:
        """Return the whole value of the row at `index` (a view index, any column).

        Parameters
        ----------
        index : QModelIndex
            An index of :attr:`tree`'s model (the filter proxy).

        Returns
        -------
        str
            The value, not cut to its cell; "" for no row.
        """
        cell = index.siblingAtColumn(VALUE_COLUMN)
        full = cell.data(FULL_VALUE_ROLE)
        return str(full) if full is not None else str(cell.data() or "")

    def copy_value(self) -> None:
        """Copy the whole value of the current row to the clipboard."""
        index = self.tree.currentIndex()
        if index.isValid():
            QGuiApplication.clipboard().setText(self.value_text(index))
