"""The dose field takes every dose a simulation runs at, as the command line reads it.

It stopped at 0.5 %, so a dose simulated by ``xray-denoise simulate --dose 0.002``
could not be repeated in the app; and a typed percent was divided by 100, so 0.7 %
was 0.006999999999999999, not the command line's 0.007.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings
from core.noise.dose import MAX_PHOTONS_PER_PIXEL, MIN_DOSE
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui

RANGE = "a number from 0.0000000001 to 100 %"


@pytest.fixture(scope="module")
def image():
    pixels = np.random.default_rng(0).normal(2000.0, 20.0, (64, 64)).astype(np.float32)
    return XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )


def _dialog(qtbot, image, last=None):
    dialog = SimulateDoseDialog(image, last=last)
    qtbot.addWidget(dialog)
    return dialog


def _type(qtbot, field, text):
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)


@pytest.mark.parametrize(
    ("percent", "cli"),
    [
        ("0.2", "0.002"),
        ("0.7", "0.007"),
        ("0.35", "0.0035"),
        ("1.1", "0.011"),
        ("0.0001", "0.000001"),
        ("0.0000000001", "0.000000000001"),
    ],
)
def test_a_typed_dose_is_the_command_lines(qtbot, image, percent, cli):
    dialog = _dialog(qtbot, image)
    dialog.measure.setChecked(False)
    dialog.photons.setValue(MAX_PHOTONS_PER_PIXEL)  # a quantum left at any dose it takes
    _type(qtbot, dialog.dose, percent)
    assert dialog.dose.hasAcceptableInput() and dialog.ok_button.isEnabled()
    assert dialog.settings().dose == float(cli)  # as --dose reads it


def test_the_field_names_the_smallest_dose_a_simulation_runs_at(qtbot, image):
    dialog = _dialog(qtbot, image)
    assert dialog.dose.range_text() == RANGE
    assert dialog.dose.minimum() / 100 == MIN_DOSE
    for below in ("0", "0.00000000009"):
        _type(qtbot, dialog.dose, below)
        qtbot.keyClick(dialog.dose.lineEdit(), Qt.Key.Key_Return)
        assert not dialog.ok_button.isEnabled()
        assert dialog.ok_button.toolTip() == f"Dose: enter {RANGE}"


@pytest.mark.parametrize("dose", [0.00123, 0.002, 0.007, 1.23456789e-7, 1e-12])
def test_a_small_last_dose_is_shown_and_comes_back_exactly(qtbot, image, dose):
    last = LowDoseSettings(dose=dose, photons_per_pixel=1e12, seed=5)
    dialog = _dialog(qtbot, image, last=last)
    assert dialog.dose.value() == pytest.approx(dose * 100, rel=1e-15)
    assert float(dialog.dose.text().removesuffix(" %")) == dialog.dose.value()  # every digit
    assert dialog.settings().dose == dose
    dialog.dose.setValue(0.123)  # another small dose entered
    assert dialog.dose.text() == "0.123 %" and dialog.settings().dose == 0.00123
