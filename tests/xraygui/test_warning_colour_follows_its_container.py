"""``WarningColour`` recolours the warning labels of a container (a panel, a dialog) when the
container's palette changes: a label with a style sheet gets no palette-change event itself,
so the Denoise panel and the dose dialog each watched their own, in two copies."""

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from xraygui.exact_spinbox import WARNING_DARK_RED, WARNING_LIGHT_RED, WarningColour

pytestmark = pytest.mark.gui


def _window(colour):
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(colour))
    return palette


def test_the_labels_take_the_red_of_their_container_s_palette(qtbot):
    container = QWidget()
    qtbot.addWidget(container)
    container.setPalette(_window("#f0f0f0"))
    warnings = (QLabel(), QLabel())
    other = QLabel()
    layout = QVBoxLayout(container)
    for label in (*warnings, other):
        layout.addWidget(label)
    colour = WarningColour(container, warnings, "font-weight: bold")
    assert colour.parent() is container
    assert [w.styleSheet() for w in warnings] == [
        f"color: {WARNING_DARK_RED}; font-weight: bold"
    ] * 2

    container.setPalette(_window("#2d2d2d"))
    qtbot.waitUntil(lambda: WARNING_LIGHT_RED in warnings[1].styleSheet(), timeout=1000)
    assert [w.styleSheet() for w in warnings] == [
        f"color: {WARNING_LIGHT_RED}; font-weight: bold"
    ] * 2
    assert other.styleSheet() == ""


def test_without_more_style_the_sheet_is_the_colour_alone(qtbot):
    container = QWidget()
    qtbot.addWidget(container)
    container.setPalette(_window("#2d2d2d"))
    label = QLabel(container)
    WarningColour(container, (label,))
    assert label.styleSheet() == f"color: {WARNING_LIGHT_RED}"
