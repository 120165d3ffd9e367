"""Warning text takes the red for the palette in use after a change while the app runs.

The Denoise panel's warning kept the red chosen when it was built: after a switch to a
dark palette (a desktop's colour scheme changed) it was dark red on dark grey, 1.69:1.
"""

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
def switch_to_dark(qapp):
    """Return a function that gives the application a dark palette; the old one comes back."""
    before = QApplication.palette()

    def switch():
        palette = QPalette(before)
        palette.setColor(QPalette.ColorRole.Window, QColor("#2d2d2d"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#dcdcdc"))
        QApplication.setPalette(palette)

    yield switch
    QApplication.setPalette(before)


def test_the_panel_warning_turns_light_red_on_a_dark_palette_and_back(qtbot, switch_to_dark):
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() >= 128
    panel = ControlPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_warning("The result is unreliable")
    assert WARNING_DARK_RED in panel.warning.styleSheet()
    switch_to_dark()
    qtbot.waitUntil(lambda: WARNING_LIGHT_RED in panel.warning.styleSheet(), timeout=1000)
    assert "font-weight: bold" in panel.warning.styleSheet()


def test_the_dose_dialog_warnings_and_a_number_field_follow_too(qtbot, switch_to_dark):
    pixels = np.random.default_rng(0).normal(2000.0, 20.0, (64, 64)).astype(np.float32)
    image = XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )
    dialog = SimulateDoseDialog(image)
    field = ExactSpinBox(minimum=0.0, maximum=1.0, value=0.5)
    for widget in (dialog, field):
        qtbot.addWidget(widget)
    field.lineEdit().setText("5")  # out of range: red
    switch_to_dark()

    def styles():
        return [
            dialog.noise_free_warning.styleSheet(),
            dialog.range_warning.styleSheet(),
            field.lineEdit().styleSheet(),
        ]

    qtbot.waitUntil(lambda: all(WARNING_LIGHT_RED in style for style in styles()), timeout=1000)
