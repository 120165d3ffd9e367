"""The dose field writes plain decimals and simulates the dose whose percent it shows.

It showed small doses with an exponent ("1e-10 %", where the docs and the range say
0.0000000001 %), and read its text as a float percent, which cannot hold every
decimal: 16.666666666666666 %, recorded for a dose of 1/6, simulated
0.16666666666666663.
"""

import numpy as np
import pytest
from PySide6.QtCore import QLocale, Qt

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings
from core.noise.dose import dose_percent
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def image():
    pixels = np.random.default_rng(0).normal(2000.0, 20.0, (64, 64)).astype(np.float32)
    return XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )


@pytest.fixture
def locale():
    before = QLocale()
    yield QLocale.setDefault
    QLocale.setDefault(before)


def _dialog(qtbot, image, last=None):
    dialog = SimulateDoseDialog(image, last=last)
    qtbot.addWidget(dialog)
    dialog.measure.setChecked(False)
    dialog.photons.setValue(1e12)  # any dose from 0.0000000001 % is simulated
    return dialog


def _enter(qtbot, field, text):
    field.setFocus()
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)
    qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Return)
    return field.text()


@pytest.mark.parametrize(
    ("typed", "shown", "cli"),
    [
        ("0.0000000001", "0.0000000001 %", "0.000000000001"),
        ("0.00001", "0.00001 %", "0.0000001"),
        ("1e-5", "0.00001 %", "0.0000001"),
        ("0.000000000123456789", "0.000000000123456789 %", "0.00000000000123456789"),
        ("16.666666666666666", "16.666666666666666 %", "0.16666666666666666"),
        ("0.50", "0.5 %", "0.005"),
    ],
)
def test_a_typed_dose_is_shown_plainly_and_simulated_as_typed(qtbot, image, typed, shown, cli):
    dialog = _dialog(qtbot, image)
    assert _enter(qtbot, dialog.dose, typed) == shown
    assert dialog.ok_button.isEnabled()
    assert dialog.settings().dose == float(cli)  # as --dose reads the same digits


def test_a_dose_typed_and_not_entered_is_read_as_typed(qtbot, image):
    dialog = _dialog(qtbot, image)
    dialog.dose.setFocus()
    dialog.dose.lineEdit().selectAll()
    qtbot.keyClicks(dialog.dose.lineEdit(), "16.666666666666666")
    assert dialog.settings().dose == 1 / 6


@pytest.mark.parametrize("dose", [1 / 6, 1e-12, 1.23456789e-12, 0.7579544029405445, 1e-7])
def test_a_last_dose_is_shown_plainly_and_typed_again_is_the_same(qtbot, image, dose):
    last = LowDoseSettings(dose=dose, photons_per_pixel=1e12, seed=5)
    dialog = _dialog(qtbot, image, last=last)
    recorded = f"{dose_percent(dose, exact=True)} %"  # as the description records it
    assert dialog.dose.text() == recorded and dialog.settings().dose == dose
    dialog.dose.setValue(50.0)
    assert _enter(qtbot, dialog.dose, recorded.removesuffix(" %")) == recorded
    assert dialog.settings().dose == dose


def test_a_small_dose_is_written_with_the_locales_decimal_comma(qtbot, locale, image):
    locale(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    dialog = _dialog(qtbot, image)
    assert _enter(qtbot, dialog.dose, "0,0000000001") == "0,0000000001 %"
    assert dialog.settings().dose == 1e-12
    assert _enter(qtbot, dialog.dose, "16,666666666666666") == "16,666666666666666 %"
    assert dialog.settings().dose == 1 / 6
    last = LowDoseSettings(dose=1e-7, photons_per_pixel=1e12, seed=5)
    assert _dialog(qtbot, image, last=last).dose.text() == "0,00001 %"
