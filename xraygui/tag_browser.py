"""A dock that lists the DICOM header of the open image, with a search box."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDockWidget, QLineEdit, QTreeView, QVBoxLayout, QWidget

COLUMNS = ("Tag", "Name", "VR", "Value")
MAX_VALUE_CHARS = 200


def _value_text(element: Any) -> str:
    if element.VR in ("OB", "OW", "OF", "OD", "OL", "OV", "UN"):
        return f"<{len(element.value or b'')} bytes>" if element.value is not None else ""
    text = str(element.value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "..."


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
            row.append(QStandardItem(_value_text(element)))
        for item in row:
            item.setEditable(False)
        parent.appendRow(row)


class TagBrowser(QDockWidget):
    """DICOM tags of the current image (file meta first), filtered by any column's text."""

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
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search tags (name, number or value)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        body = QWidget()
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
        for column in range(3):
            self.tree.resizeColumnToContents(column)

    def visible_rows(self) -> int:
        """Top-level rows that match the search text."""
        return self.proxy.rowCount()
