"""Warning text is light red on a dark palette, dark red on a light one (dialog and panel)."""

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from core.image import StoredMapping, Window, XrayImage
from xraygui.controls import ControlPanel
from xraygui.dialogs import SimulateDoseDialog
from xraygui.exact_spinbox import WARNING_DARK_RED, WARNING_LIGHT_RED, ExactSpinBox

pytestmark = pytest.mark.gui


@pytest.fixture
def dark(qapp):
    """Give the application a dark window colour for the test; the palette comes back after."""
    before = QApplication.palette()
    palette = QPalette(before)
    palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#e0e0e0"))
    QApplication.setPalette(palette)
    yield
    QApplication.setPalette(before)


def _image() -> XrayImage:
    pixels = np.random.default_rng(0).normal(2000.0, 20.0, (64, 64)).astype(np.float32)
    return XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )


def _warning_styles(qtbot) -> list[str]:
    dialog, panel = SimulateDoseDialog(_image()), ControlPanel()
    field = ExactSpinBox(minimum=0.0, maximum=1.0, value=0.5)
    for widget in (dialog, panel, field):
        qtbot.addWidget(widget)
    field.lineEdit().setText("5")  # out of range: shown in red
    return [
        dialog.noise_free_warning.styleSheet(),
        dialog.range_warning.styleSheet(),
        panel.warning.styleSheet(),
        field.lineEdit().styleSheet(),
    ]


def test_warnings_are_light_red_on_a_dark_palette(qtbot, dark):
    styles = _warning_styles(qtbot)
    assert all(WARNING_LIGHT_RED in style for style in styles), styles


def test_warnings_are_dark_red_on_a_light_palette(qtbot):
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() >= 128
    styles = _warning_styles(qtbot)
    assert all(WARNING_DARK_RED in style for style in styles), styles
