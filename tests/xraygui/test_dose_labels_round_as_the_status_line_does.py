"""The app's labels write a simulated dose as the status line does: rounded, never to 0 %.

The progress bar wrote the dose as a whole percent (a 0.4 % dose read "0%"), the window
title and status bar with six digits, and the export's series description with three: each
now rounds to the status line's ``READABLE_DIGITS`` significant digits.
"""

import pytest

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui


def test_a_small_dose_is_named_as_it_is_in_progress_title_and_export(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    dose = LowDoseSettings(dose=0.0041234567, photons_per_pixel=200000, seed=0)
    worker = window.simulate_low_dose(dose)
    assert worker is not None
    assert window.controls.progress.format() == "Simulating a 0.41235 % dose..."
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    qtbot.waitUntil(lambda: window.dose is not None, timeout=5000)
    assert window.controls.progress.format() == "Simulated a 0.41235 % dose"
    assert "(simulated 0.41235 % dose)" in window.windowTitle()
    assert window.export_stem().startswith(small_dicom.stem)
    assert "simulated0p41235pct" in window.export_stem()
