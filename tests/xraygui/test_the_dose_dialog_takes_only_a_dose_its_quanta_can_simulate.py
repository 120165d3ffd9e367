"""The dose dialog takes no dose that leaves less than one quantum behind no attenuation.

It took 0.001 % at 50,000 quanta, OK and all, and the simulation then failed with "a
1e-05 dose of 50000 quanta per unattenuated pixel leaves less than one quantum": a
fraction in exponent form, where the dialog speaks percent.
"""

import numpy as np
import pytest
from PySide6.QtCore import QLocale, Qt

from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image
from core.noise.dose import simulate_low_dose
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui

FEW = "Dose: at 50,000 quanta per unattenuated pixel, at least 0.002 %"


def _image(pixels):
    return XrayImage(
        pixels=pixels.astype(np.float32),
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )


@pytest.fixture(scope="module")
def image():
    return _image(np.random.default_rng(0).normal(2000.0, 20.0, (64, 64)))


@pytest.fixture(scope="module")
def taken():
    """A phantom taken at 20,000 quanta, large enough for them to be measured."""
    return _image(phantom_image((512, 512), photons_per_pixel=20000.0, seed=1))


@pytest.fixture
def locale():
    before = QLocale()
    yield QLocale.setDefault
    QLocale.setDefault(before)


def _dialog(qtbot, image, *, measure=False):
    dialog = SimulateDoseDialog(image)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.measure.isEnabled() == measure
    dialog.measure.setChecked(measure)
    return dialog


def _type(qtbot, field, text):
    field.setFocus()
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)


def _simulates(settings, image):
    """Whether a simulation takes the settings (it refuses under one quantum)."""
    detector = settings.detector_for(image)
    try:
        simulate_low_dose(
            image.pixels[:4, :4],
            dose=settings.dose,
            detector=detector,
            rng=np.random.default_rng(0),
            input_is_noisy=settings.input_is_noisy,
        )
    except ValueError:
        return False
    return True


def test_a_dose_below_one_quantum_is_not_taken_and_the_least_is_named(qtbot, image):
    dialog = _dialog(qtbot, image)
    _type(qtbot, dialog.photons, "50000")
    _type(qtbot, dialog.dose, "0.001")
    qtbot.keyClick(dialog.dose.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and not dialog.ok_button.isEnabled()
    assert dialog.not_taken.isVisible() and dialog.not_taken.text() == FEW
    assert dialog.ok_button.toolTip() == FEW
    assert not _simulates(dialog.settings(), image)
    _type(qtbot, dialog.dose, "0.002")  # the least named is taken, and simulated
    assert dialog.ok_button.isEnabled() and not dialog.not_taken.isVisible()
    assert _simulates(dialog.settings(), image)


def test_the_quanta_typed_are_the_ones_checked(qtbot, image):
    dialog = _dialog(qtbot, image)
    _type(qtbot, dialog.photons, "50000")
    _type(qtbot, dialog.dose, "0.0000000001")
    assert not dialog.ok_button.isEnabled()
    _type(qtbot, dialog.photons, "1000000000000")  # not entered yet: still the quanta in use
    assert dialog.ok_button.isEnabled()
    assert _simulates(dialog.settings(), image)
    dialog.noise_free.setChecked(True)  # the image's own noise or not, the same least dose
    _type(qtbot, dialog.photons, "999999999999")
    assert "at least 0.00000000010001 %" in dialog.not_taken.text()
    assert not dialog.ok_button.isEnabled()


def test_measured_quanta_are_the_ones_checked(qtbot, taken):
    dialog = _dialog(qtbot, taken, measure=True)
    measured = dialog.settings().photons_per_pixel  # about 20,000
    assert 15000 < measured < 25000
    _type(qtbot, dialog.photons, "50000")  # disabled: not typed into
    _type(qtbot, dialog.dose, "0.003")  # 0.9 quanta at 30,000, 1.5 at 50,000
    assert not dialog.ok_button.isEnabled()
    assert dialog.not_taken.text().startswith(f"Dose: at {round(measured):,} quanta per ")
    assert not _simulates(dialog.settings(), taken)
    dialog.measure.setChecked(False)
    dialog.photons.setValue(50000.0)
    assert dialog.ok_button.isEnabled() and _simulates(dialog.settings(), taken)


def test_the_least_dose_is_written_in_the_locale(qtbot, locale, image):
    locale(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    dialog = _dialog(qtbot, image)
    _type(qtbot, dialog.photons, "50.000")
    _type(qtbot, dialog.dose, "0,001")
    assert dialog.not_taken.text() == (
        "Dose: at 50.000 quanta per unattenuated pixel, at least 0,002 %"
    )
