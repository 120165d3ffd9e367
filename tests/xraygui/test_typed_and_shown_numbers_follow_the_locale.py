"""Typed decimals and shown thousands follow the locale, as the dose dialog's fields do.

In German a plain spin box read a typed point as a thousands separator: Strength
"0.5" became 5, a wizard dose "2.5" became 25 %, without a warning. Those fields now
read text as the dose dialog's do (:func:`xraygui.exact_spinbox.read_number`): "0,5"
is 0.5 and "0.5" is no number, kept in red and not taken. Quanta on screen were
grouped with "," whatever the locale, so a German reader saw 12,345 quanta as 12.3.
"""

import pytest
from PySide6.QtCore import QLocale, Qt

from core.noise import LowDoseSettings
from xraygui.controls import ControlPanel
from xraygui.exact_spinbox import LocaleSpinBox
from xraygui.wizard.noise_page import NoisePage
from xraygui.wizard.result_page import _quanta
from xraygui.wizard.training_page import TrainingPage

pytestmark = pytest.mark.gui

GERMAN = QLocale(QLocale.Language.German, QLocale.Country.Germany)
ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


@pytest.fixture
def locale():
    """Set the default locale for a test; the one before comes back afterwards."""
    before = QLocale()
    yield QLocale.setDefault
    QLocale.setDefault(before)


def _enter(qtbot, field, text):
    """Type ``text`` in ``field`` and press Enter; return the text the field then shows."""
    field.setFocus()
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)
    qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Return)
    return field.lineEdit().text()


_kept = []  # the fields' windows, alive while a test types in them


def _fields(qtbot):
    """Return the strength, wizard dose, electronic noise and time budget fields."""
    panel = ControlPanel()
    noise = NoisePage()
    training = TrainingPage(current_model=None)
    for widget in (panel, noise, training):
        qtbot.addWidget(widget)
        widget.show()
    training.minutes.setEnabled(True)
    _kept[:] = [panel, noise, training]
    return {
        "strength": panel.strength,
        "dose_low": noise.dose_low,
        "dose_high": noise.dose_high,
        "electronic": noise.electronic,
        "minutes": training.minutes,
    }


def test_german_fields_take_a_decimal_comma_and_refuse_a_point(qtbot, locale):
    locale(GERMAN)
    for name, field in _fields(qtbot).items():
        assert isinstance(field, LocaleSpinBox), name
        field.setValue(3.0)
        # A plain spin box read "0.5" as 5 and "2.5" as 25, both in these ranges.
        number = "0,5" if name == "strength" else "2,5"
        shown = _enter(qtbot, field, f"{field.prefix()}{number.replace(',', '.')}{field.suffix()}")
        assert field.value() == 3.0, name  # not taken
        assert number.replace(",", ".") in shown and not field.hasAcceptableInput(), name
        assert field.accessibleDescription() == f"Not taken: enter {field.range_text()}", name
        _enter(qtbot, field, f"{field.prefix()}{number}{field.suffix()}")
        assert field.value() == float(number.replace(",", ".")), name
        assert field.hasAcceptableInput() and field.accessibleDescription() == "", name


def test_english_fields_still_take_a_decimal_point(qtbot, locale):
    locale(ENGLISH)
    for name, field in _fields(qtbot).items():
        field.setValue(1.0)
        _enter(qtbot, field, f"{field.prefix()}2.5{field.suffix()}")
        assert field.value() == 2.5, name
        assert field.text() == f"{field.prefix()}2.50{field.suffix()}", name


def test_the_strength_keeps_its_prefix_and_two_decimals(qtbot, locale):
    locale(GERMAN)
    strength = _fields(qtbot)["strength"]
    strength.setValue(0.5)
    assert strength.text() == "x 0,50"
    _enter(qtbot, strength, "x 2,25")
    assert strength.value() == 2.25 and strength.text() == "x 2,25"


def test_the_status_bar_groups_the_quanta_in_the_windows_locale(window, settle, small_dicom):
    window.setLocale(GERMAN)
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.125, photons_per_pixel=12345.0))
    settle(window)
    assert "(12.345 assumed quanta per pixel" in window.statusBar().currentMessage()


def test_the_noise_page_groups_the_default_quanta_in_its_locale(qtbot, locale):
    locale(GERMAN)
    page = NoisePage()
    qtbot.addWidget(page)
    assert "else 50.000 per unattenuated pixel" in page.note.text()
    assert "50,000" not in page.note.text()


def test_the_result_page_groups_the_quanta_in_the_locale(locale):
    locale(GERMAN)
    assert _quanta({"photons_per_pixel": 12345.0}) == "12.345 quanta per unattenuated pixel"
    chosen = {"photons_per_pixel": "measured", "quanta": {"fallback": 2,
              "fallback_photons_per_pixel": 50000.0}}  # fmt: skip
    assert "50.000 per unattenuated pixel for the 2 images" in _quanta(chosen)
