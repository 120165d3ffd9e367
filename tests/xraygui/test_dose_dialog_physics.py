"""The dose dialog: noise-free inputs, their warning, measured quanta's error, exact re-entry."""

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, phantom_image, simulate_low_dose_image
from xraygui.dialogs import SimulateDoseDialog


def _image(size: int, photons: float | None, seed: int = 1) -> XrayImage:
    return XrayImage(
        pixels=phantom_image((size, size), photons_per_pixel=photons, seed=seed).astype(np.float32),
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )


@pytest.fixture(scope="module")
def taken():
    """A phantom taken at 20,000 quanta, large enough for them to be measured."""
    return _image(512, 20000.0)


def _type(qtbot, field, text: str) -> None:
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)
    qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Tab)
    field.interpretText()


def test_a_noise_free_input_is_offered_and_warned_of(qtbot):
    clean = SimulateDoseDialog(_image(512, None))
    qtbot.addWidget(clean)
    assert not clean.measure.isChecked() and clean.noise_free.isEnabled()
    # 50,000 entered quanta predict far more noise than a rendered phantom holds.
    assert clean.noise_free_warning.isVisibleTo(clean)
    assert "looks noise-free" in clean.noise_free_warning.text()
    assert clean.settings().input_is_noisy
    clean.noise_free.setChecked(True)
    assert not clean.noise_free_warning.isVisibleTo(clean)
    settings = clean.settings()
    assert not settings.input_is_noisy and not settings.measured
    assert "from a noise-free input" in settings.describe()


def test_entered_quanta_far_fewer_than_the_images_are_warned_of(qtbot, taken):
    dialog = SimulateDoseDialog(taken)
    qtbot.addWidget(dialog)
    assert dialog.measure.isChecked() and not dialog.noise_free.isEnabled()
    assert not dialog.noise_free_warning.isVisibleTo(dialog)
    dialog.measure.setChecked(False)  # entered: the measured value, the image's own noise
    assert dialog.noise_free.isEnabled() and not dialog.noise_free_warning.isVisibleTo(dialog)
    dialog.photons.setValue(2000.0)  # a tenth of the quanta it was taken with
    assert dialog.noise_free_warning.isVisibleTo(dialog)
    assert "2,000 quanta per pixel" in dialog.noise_free_warning.text()


def test_measured_quanta_show_their_standard_error(qtbot, taken):
    dialog = SimulateDoseDialog(taken)
    qtbot.addWidget(dialog)
    measured = dialog.settings()
    low, high = measured.photons_range
    assert low < measured.photons_per_pixel < high
    expected = f"{measured.photons_per_pixel:,.0f} quanta ({low:,.0f}-{high:,.0f})"
    assert re.fullmatch(r"\d\d,\d{3} quanta \(\d\d,\d{3}-\d\d,\d{3}\)", expected)
    assert f"Measured: {expected} per unattenuated pixel" in dialog.measured_label.text()


def test_a_refused_measurement_shows_the_cores_reason(qtbot):
    small = _image(320, 20000.0)  # too few smooth intensities to tell the quanta
    with pytest.raises(ValueError) as refused:
        LowDoseSettings.measured_from(small, 1.0)
    dialog = SimulateDoseDialog(small)
    qtbot.addWidget(dialog)
    assert not dialog.measure.isEnabled()
    assert dialog.measured_label.text() == f"Cannot measure the quanta: {refused.value}."


def test_a_recorded_measured_simulation_is_re_entered_exactly(qtbot, taken):
    dialog = SimulateDoseDialog(taken)
    qtbot.addWidget(dialog)
    dialog.dose.setValue(25.0)
    dialog.seed.setValue(3)
    recorded = dialog.settings()
    assert recorded.measured
    description = recorded.describe()
    photons = re.search(r"noise: (\S+)/pixel", description).group(1)
    electronic = re.search(r"electronic noise (\S+) quanta", description).group(1)
    span = re.search(r"line integral 0-(\S+) over", description).group(1)
    assert "." in photons and float(photons) != round(float(photons))  # decimals to keep

    again = SimulateDoseDialog(taken)
    qtbot.addWidget(again)
    again.measure.setChecked(False)
    again.photons.setValue(50000.0)
    again.attenuation.setValue(7.0)
    _type(qtbot, again.photons, photons)
    _type(qtbot, again.attenuation, span)
    _type(qtbot, again.electronic, electronic)
    again.dose.setValue(25.0)
    again.seed.setValue(3)
    entered = again.settings()
    assert not entered.measured and entered.input_is_noisy
    assert entered.photons_per_pixel == recorded.photons_per_pixel
    assert entered.max_attenuation == recorded.max_attenuation
    assert entered.electronic_noise == recorded.electronic_noise
    np.testing.assert_array_equal(
        simulate_low_dose_image(taken, entered).pixels,
        simulate_low_dose_image(taken, recorded).pixels,
    )
