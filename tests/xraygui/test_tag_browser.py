"""The DICOM tags dock: sequences under search, long values, column widths."""

import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from xraygui.tag_browser import MAX_TOOLTIP_CHARS, MAX_VALUE_CHARS, TagBrowser

pytestmark = pytest.mark.gui


@pytest.fixture
def tags(qtbot):
    tags = TagBrowser()
    qtbot.addWidget(tags)
    return tags


def _dataset(comment="short"):
    region = Dataset()
    region.CodeValue = "T-D3000"
    region.CodingSchemeDesignator = "SRT"
    region.CodeMeaning = "Chest"
    dataset = Dataset()
    dataset.PatientName = "ROE^RICHARD"
    dataset.AnatomicRegionSequence = Sequence([region])
    dataset.ImageComments = comment
    return dataset


def _row(tags, text):
    """The view index of the top-level row whose Name is `text`."""
    for row in range(tags.proxy.rowCount()):
        if tags.proxy.index(row, 1).data() == text:
            return tags.proxy.index(row, 0)
    raise AssertionError(f"no row {text!r}")


def test_a_matching_sequence_keeps_its_items(tags):
    tags.set_dataset(_dataset())
    tags.search.setText("Anatomic Region Sequence")
    assert tags.proxy.rowCount() == 1
    sequence = _row(tags, "Anatomic Region Sequence")
    assert tags.proxy.rowCount(sequence) == 1
    item = tags.proxy.index(0, 0, sequence)
    assert item.data() == "Item 1"
    assert tags.proxy.rowCount(item) == 3


def test_a_long_value_is_whole_in_its_tooltip_and_copy(tags):
    comment = "LONG " * 150
    tags.set_dataset(_dataset(comment))
    value = _row(tags, "Image Comments").siblingAtColumn(3)
    assert value.data() == comment[:MAX_VALUE_CHARS] + "..."
    assert " ".join(value.data(Qt.ItemDataRole.ToolTipRole).split()) == comment.strip()  # wrapped
    tags.tree.setCurrentIndex(value)
    tags.copy_action.trigger()
    assert QGuiApplication.clipboard().text() == comment


def test_a_huge_value_has_a_bounded_tooltip(tags):
    comment = "x" * (2 * MAX_TOOLTIP_CHARS + 1000)
    tags.set_dataset(_dataset(comment))
    value = _row(tags, "Image Comments").siblingAtColumn(3)
    tip = value.data(Qt.ItemDataRole.ToolTipRole)
    assert MAX_TOOLTIP_CHARS < len(tip) < MAX_TOOLTIP_CHARS + 200
    assert f"{len(comment)} characters" in tip
    assert tags.value_text(value) == comment


def test_short_values_have_no_tooltip(tags):
    tags.set_dataset(_dataset())
    assert _row(tags, "Image Comments").siblingAtColumn(3).data(Qt.ItemDataRole.ToolTipRole) is None


def test_the_dock_shows_every_column(window, qtbot, small_dicom):
    window.resize(1600, 900)
    assert window.open_file(small_dicom)
    window.tags.show()
    window.tags.raise_()
    tree = window.tags.tree
    qtbot.waitUntil(lambda: tree.viewport().width() > 100)
    header = tree.header()
    visible = tree.viewport().width()
    assert header.sectionViewportPosition(3) + 80 <= visible  # 80 px of Value in view
    assert all(header.sectionSize(column) >= 20 for column in range(3))
