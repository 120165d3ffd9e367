"""A number the dose dialog does not take is said in words and marked by more than colour.

It was shown only in red; Enter did nothing and OK greyed out without a reason.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QImage
from PySide6.QtWidgets import QLabel

from core.image import StoredMapping, Window, XrayImage
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui

DOSE = "Dose: enter a number from 0.0000000001 to 100 %"
ELECTRONIC = "Electronic noise (quanta): enter a number from 0 to 1,000"


@pytest.fixture
def dialog(qtbot):
    pixels = np.random.default_rng(0).normal(2000.0, 20.0, (64, 64)).astype(np.float32)
    image = XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )
    shown = SimulateDoseDialog(image)
    qtbot.addWidget(shown)
    shown.measure.setChecked(False)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _type(qtbot, field, text):
    field.setFocus()
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)


def _shown_lines(dialog) -> list[str]:
    return [
        line
        for label in dialog.findChildren(QLabel)
        if label.isVisible()
        for line in label.text().splitlines()
    ]


def _edge_grey(field) -> int:
    """Grey level just inside the field's left edge, half way down (colour left aside)."""
    image = field.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return image.pixelColor(1, image.height() // 2).value()


def _description(field) -> str:
    return QAccessible.queryAccessibleInterface(field).text(QAccessible.Text.Description)


def test_each_field_not_taken_is_named_with_its_range(qtbot, dialog):
    _type(qtbot, dialog.dose, "200")
    qtbot.keyClick(dialog.dose.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and not dialog.ok_button.isEnabled()
    assert DOSE in _shown_lines(dialog)
    assert dialog.ok_button.toolTip() == DOSE
    _type(qtbot, dialog.electronic, "5000")
    assert {DOSE, ELECTRONIC} <= set(_shown_lines(dialog))
    assert dialog.ok_button.toolTip() == f"{DOSE}\n{ELECTRONIC}"
    _type(qtbot, dialog.dose, "20")
    _type(qtbot, dialog.electronic, "4")
    assert dialog.ok_button.isEnabled() and dialog.ok_button.toolTip() == ""
    assert not {DOSE, ELECTRONIC} & set(_shown_lines(dialog))


def test_a_field_not_taken_is_framed_and_described(qtbot, dialog):
    tip = dialog.dose.toolTip()
    taken = _edge_grey(dialog.dose)
    assert _description(dialog.dose) == tip  # the tooltip, as for any field
    _type(qtbot, dialog.dose, "200")
    assert abs(_edge_grey(dialog.dose) - taken) >= 40  # a frame, in grey levels too
    assert "a number from 0.0000000001 to 100 %" in _description(dialog.dose)
    _type(qtbot, dialog.dose, "20")
    assert _edge_grey(dialog.dose) == taken
    assert _description(dialog.dose) == tip
