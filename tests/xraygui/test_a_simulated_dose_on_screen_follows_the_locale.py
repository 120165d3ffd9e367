"""A simulated dose on screen is written with the window locale's decimal separator.

In German the simulation's message grouped the quanta with points ("19.899 quanta") and
wrote the dose with a point too ("12.5 % dose"), which reads as 125. On screen (progress,
status bar, window title, Before pane) the dose now takes the locale's comma; what is
recorded (file names, descriptions, reports) keeps the point.
"""

import pytest
from PySide6.QtCore import QLocale

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui


def test_a_dose_reads_with_a_decimal_comma_in_german(window, qtbot, small_dicom):
    window.setLocale(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    window.open_file(small_dicom)
    dose = LowDoseSettings(dose=0.125, photons_per_pixel=20000, seed=3)
    worker = window.simulate_low_dose(dose)
    assert worker is not None
    assert window.controls.progress.format() == "Simulating a 12,5 % dose..."
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    qtbot.waitUntil(lambda: window.dose is not None, timeout=5000)
    assert window.controls.progress.format() == "Simulated a 12,5 % dose"
    assert "(simulated 12,5 % dose)" in window.windowTitle()
    assert (
        "Showing a simulated 12,5 % dose (20.000 assumed quanta"
        in window.statusBar().currentMessage()
    )
    assert "simulated12p5pct" in window.export_stem()  # a file name: neither point nor comma


def test_english_keeps_the_point(window, qtbot, small_dicom):
    window.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    window.open_file(small_dicom)
    worker = window.simulate_low_dose(LowDoseSettings(dose=0.125, photons_per_pixel=20000))
    assert worker is not None
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    qtbot.waitUntil(lambda: window.dose is not None, timeout=5000)
    assert "(simulated 12.5 % dose)" in window.windowTitle()
