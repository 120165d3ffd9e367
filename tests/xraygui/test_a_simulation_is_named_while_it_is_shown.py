"""Once a simulated low dose is denoised, the window still says the Before image is one.

The panel's status line then describes the result and the simulation's status-bar
message is gone: the Before pane's title and the window title carry it instead.
"""

import pytest

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui


def _before_title(window):
    return window.views.panes["before"].title.text


def test_a_denoised_simulation_is_named_in_the_before_pane_and_the_window_title(
    window, settle, denoise_quickly, small_dicom
):
    window.open_file(small_dicom)
    assert _before_title(window) == "Before"
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=3))
    settle(window)
    denoise_quickly(window)
    assert "simulated" not in window.controls.status.text()  # the result's description
    assert _before_title(window) == "Before: simulated 25 % dose (seed 3)"
    assert window.windowTitle().startswith("phantom.dcm (simulated 25 % dose) - xraygui")
    window.restore_original()
    assert _before_title(window) == "Before"
    assert window.windowTitle().startswith("phantom.dcm - xraygui")


def test_swipe_names_its_sides_and_then_the_simulation_again(
    window, settle, denoise_quickly, small_dicom
):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=1))
    settle(window)
    denoise_quickly(window)  # swipe needs an After image
    window.set_swipe(True)
    assert (
        _before_title(window) == "Before: simulated 50 % dose (seed 1) | After (drag the divider)"
    )
    window.set_swipe(False)
    assert _before_title(window) == "Before: simulated 50 % dose (seed 1)"


def test_opening_a_file_drops_the_simulations_name(window, settle, small_dicom, monochrome1_dicom):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25))
    settle(window)
    window.open_file(monochrome1_dicom)
    assert _before_title(window) == "Before"
    assert window.windowTitle().startswith("mono1.dcm - xraygui")
