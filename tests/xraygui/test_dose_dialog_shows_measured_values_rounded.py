"""The dose dialog shows measured quanta rounded and grouped, and simulates with them exactly."""

import numpy as np
import pytest
from PySide6.QtCore import QLocale

from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image
from xraygui.dialogs import ReportOptionsDialog, SimulateDoseDialog
from xraygui.exact_spinbox import ExactSpinBox, rounded_text

pytestmark = pytest.mark.gui

ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


@pytest.fixture(scope="module")
def taken():
    """A phantom taken at 20,000 quanta, large enough for them to be measured."""
    pixels = phantom_image((512, 512), photons_per_pixel=20000.0, seed=1).astype(np.float32)
    return XrayImage(
        pixels=pixels,
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )


@pytest.fixture
def dialog(qtbot, taken):
    made = SimulateDoseDialog(taken)
    made.setLocale(ENGLISH)
    for field in made._numbers():
        field.setLocale(ENGLISH)
    qtbot.addWidget(made)
    made.measure.setChecked(False)
    made.measure.setChecked(True)  # rewritten in the English locale
    return made


def test_measured_fields_show_rounded_grouped_values(dialog):
    measured = dialog._measured
    assert dialog.measure.isChecked() and not dialog.photons.isEnabled()
    assert dialog.photons.text() == rounded_text(measured.photons_per_pixel, ENGLISH)
    assert len(dialog.photons.text().replace(",", "")) <= 6  # not 16 digits
    assert "," in dialog.photons.text()  # about 20,000: grouped
    assert len(dialog.attenuation.text()) <= 6
    assert dialog.photons.value() == measured.photons_per_pixel  # kept exactly


def test_the_simulation_takes_the_exact_measured_value(dialog):
    measured = dialog._measured
    assert dialog.settings().photons_per_pixel == measured.photons_per_pixel
    assert dialog.settings().max_attenuation == measured.max_attenuation
    dialog.measure.setChecked(False)  # entered from here: the exact value, shown exactly
    assert dialog.photons.value() == measured.photons_per_pixel
    assert dialog.photons.text() == repr(measured.photons_per_pixel)
    assert dialog.settings().photons_per_pixel == measured.photons_per_pixel
    assert dialog.settings().max_attenuation == measured.max_attenuation


def test_rounded_text_groups_without_an_exponent():
    assert rounded_text(19915.70484168069, ENGLISH) == "19,916"
    assert rounded_text(7.031021711734023, ENGLISH) == "7.031"
    assert rounded_text(1e6, ENGLISH) == "1,000,000"
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert rounded_text(19915.70484168069, german) == "19.916"


def test_a_rounded_field_reads_typed_text_exactly_once_it_shows_exactly(qtbot):
    field = ExactSpinBox(minimum=1.0, maximum=1e7, value=1e6)
    field.setLocale(ENGLISH)
    qtbot.addWidget(field)
    field.set_shown_rounded(True)
    assert field.text() == "1,000,000"
    field.set_shown_rounded(False)
    assert field.text() == "1000000"


def test_dialog_titles_use_the_menus_words(qtbot, taken):
    dose = SimulateDoseDialog(taken)
    report = ReportOptionsDialog()
    for made in (dose, report):
        qtbot.addWidget(made)
    assert dose.windowTitle() == "Simulate Low Dose"
    assert report.windowTitle() == "Export Report"
