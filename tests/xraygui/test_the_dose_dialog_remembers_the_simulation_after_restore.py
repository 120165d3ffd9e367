"""The dose dialog starts from the last simulation of the opened image, shown or not.

"Use Original (undo simulation)" shows the image as opened again; the dialog still offers the last
simulation's settings. Opening another image forgets them.
"""

import pytest

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui


def test_restore_original_keeps_the_last_simulation_for_the_dialog(window, settle, small_dicom):
    assert window.open_file(small_dicom)
    last = LowDoseSettings(
        dose=0.07, photons_per_pixel=321.5, electronic_noise=2.5, seed=7, max_attenuation=5.0
    )
    window.simulate_low_dose(last)
    settle(window)
    window.restore_original()
    settle(window)
    assert window.dose is None and "simulated" not in window.windowTitle()
    assert window.low_dose_dialog().settings() == last
    assert window.open_file(small_dicom)
    fresh = window.low_dose_dialog().settings()
    assert (fresh.dose, fresh.seed) == (0.25, 0)
