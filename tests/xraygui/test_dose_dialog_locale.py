"""The dose dialog in a decimal-comma and a decimal-point locale, and its wrapped warning."""

import re

import numpy as np
import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QValidator

from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image
from xraygui.dialogs import SimulateDoseDialog
from xraygui.exact_spinbox import INVALID_STYLE, ExactSpinBox

pytestmark = pytest.mark.gui

GERMAN = QLocale(QLocale.Language.German, QLocale.Country.Germany)
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
def locale():
    """Set the default locale for a test; the one before comes back afterwards."""
    before = QLocale()
    yield QLocale.setDefault
    QLocale.setDefault(before)


@pytest.fixture
def entered(qtbot, taken):
    """Make a shown dose dialog whose quanta are entered, not measured."""

    def make():
        dialog = SimulateDoseDialog(taken)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.measure.setChecked(False)
        return dialog

    return make


def _type(qtbot, field, text):
    field.setFocus()
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)


def _enter(qtbot, field, text):
    """Type ``text`` and go on to the next field."""
    _type(qtbot, field, text)
    qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Tab)
    field.interpretText()  # what leaving the field does (offscreen, focus may not move)


def test_german_fields_read_a_decimal_comma_and_thousands_points(qtbot, locale, entered):
    locale(GERMAN)
    dialog = entered()
    assert dialog.dose.text() == "25 %"
    _enter(qtbot, dialog.dose, "12,5")
    _enter(qtbot, dialog.photons, "20.000")
    _enter(qtbot, dialog.attenuation, "7,25")
    _enter(qtbot, dialog.electronic, "4,5")
    settings = dialog.settings()
    assert settings.dose == 0.125 and settings.photons_per_pixel == 20000.0
    assert settings.max_attenuation == 7.25 and settings.electronic_noise == 4.5
    assert dialog.electronic.text() == "4,5" and dialog.ok_button.isEnabled()
    assert dialog.isVisible()
    _enter(qtbot, dialog.photons, "19899,395757682956")  # a recorded value, kept exactly
    assert dialog.photons.value() == 19899.395757682956


@pytest.mark.parametrize(("convention", "foreign"), [(GERMAN, "4.5"), (ENGLISH, "4,5")])
def test_a_number_in_another_convention_is_kept_in_red_and_not_taken(
    qtbot, locale, entered, convention, foreign
):
    locale(convention)
    dialog = entered()
    _enter(qtbot, dialog.electronic, "2")
    _type(qtbot, dialog.electronic, foreign)
    qtbot.keyClick(dialog.electronic.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter did not accept the dialog with the last number
    assert dialog.electronic.text() == foreign  # no character dropped
    assert dialog.electronic.lineEdit().styleSheet() == INVALID_STYLE
    assert not dialog.ok_button.isEnabled()
    dialog.seed.setFocus()  # leaving the field keeps the text, still refused
    assert dialog.electronic.text() == foreign and not dialog.ok_button.isEnabled()
    _type(qtbot, dialog.electronic, "4")
    assert dialog.ok_button.isEnabled() and dialog.electronic.lineEdit().styleSheet() == ""


@pytest.mark.parametrize(
    ("convention", "typed", "value"),
    [
        (QLocale.c(), "20.000", 20.0),
        (QLocale.c(), "19,899", 19899.0),
        (ENGLISH, "1,234,567.25", 1234567.25),
        (GERMAN, "20.000", 20000.0),
        (GERMAN, "1.234.567,25", 1234567.25),
        (GERMAN, " 4,5 ", 4.5),
        (GERMAN, "1,5e-3", 0.0015),
    ],
)
def test_each_locale_reads_its_own_separators(qtbot, locale, convention, typed, value):
    locale(convention)
    box = ExactSpinBox(minimum=0.0, maximum=1e7, value=1.0)
    qtbot.addWidget(box)
    state, text, _pos = box.validate(typed, len(typed))
    assert state == QValidator.State.Acceptable
    assert box.valueFromText(text) == value


@pytest.mark.parametrize(
    ("convention", "typed"),
    [(GERMAN, "4.5"), (GERMAN, "0.125"), (GERMAN, "20.00"), (ENGLISH, "1,5"), (ENGLISH, "")],
)
def test_a_group_separator_outside_thousands_is_kept_but_no_number(
    qtbot, locale, convention, typed
):
    locale(convention)
    box = ExactSpinBox(minimum=0.0, maximum=1e7, value=1.0)
    qtbot.addWidget(box)
    assert box.validate(typed, len(typed))[0] == QValidator.State.Intermediate


@pytest.mark.parametrize(
    ("convention", "group", "point"), [(GERMAN, ".", ","), (QLocale.c(), ",", ".")]
)
def test_the_measured_quanta_are_written_in_the_dialogs_convention(
    qtbot, locale, taken, convention, group, point
):
    locale(convention)
    dialog = SimulateDoseDialog(taken)
    qtbot.addWidget(dialog)
    g, p = re.escape(group), re.escape(point)
    quanta = rf"\d\d{g}\d{{3}}"
    assert re.match(
        rf"Measured: {quanta} quanta \({quanta}-{quanta}\) per unattenuated pixel at full "
        rf"dose, attenuation 0-\d+{p}\d\d over",
        dialog.measured_label.text(),
    )


def test_the_dialog_grows_to_show_its_warning_whole(qtbot, locale, entered):
    locale(QLocale.c())
    dialog = entered()
    warning = dialog.noise_free_warning
    assert not warning.isVisible()
    _enter(qtbot, dialog.photons, "2000")  # a tenth of the image's quanta: warned of
    qtbot.waitUntil(warning.isVisible)
    qtbot.wait(50)  # the layout's posted request
    assert len(warning.text()) > 150  # more than one line of the dialog's width
    assert dialog.height() >= dialog.heightForWidth(dialog.width())
    assert warning.height() >= warning.heightForWidth(warning.width())
    for label in (dialog.layout().itemAt(0).widget(), dialog.measured_label):
        assert label.height() >= label.heightForWidth(label.width())


def test_measuring_over_red_text_leaves_ok_enabled_and_the_field_plain(qtbot, locale, entered):
    locale(ENGLISH)
    dialog = entered()
    _type(qtbot, dialog.photons, "13,23")  # no number in English: red, OK off
    assert not dialog.ok_button.isEnabled()
    dialog.measure.setChecked(True)  # the measured quanta replace it, and the field closes
    assert dialog.ok_button.isEnabled()
    assert dialog.photons.lineEdit().styleSheet() == ""


def test_an_arrow_keeps_red_text_or_steps_from_the_number_shown(qtbot, locale, entered):
    locale(ENGLISH)
    dialog = entered()
    before = dialog.dose.value()
    _type(qtbot, dialog.dose, "4,5")  # no number: nothing is taken while it is typed
    assert dialog.dose.value() == before
    qtbot.keyClick(dialog.dose, Qt.Key.Key_Up)
    assert dialog.dose.text() == "4,5 %" and not dialog.ok_button.isEnabled()
    _type(qtbot, dialog.dose, "150")  # a number out of range: stepped from, clamped
    qtbot.keyClick(dialog.dose, Qt.Key.Key_Down)
    assert dialog.dose.value() == 99.0 and dialog.dose.text() == "99 %"
    assert dialog.ok_button.isEnabled() and dialog.dose.lineEdit().styleSheet() == ""
