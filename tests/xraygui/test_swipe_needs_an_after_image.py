"""Swipe compares Before with an After image: refused while there is none, and its title
still names what Before is (a simulated dose)."""

import pytest

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui


def _title(window):
    return window.views.panes["before"].title.text


def test_swipe_is_refused_until_there_is_an_after_image(window, denoise_quickly, small_dicom):
    assert window.open_file(small_dicom)
    window.swipe_action.setChecked(True)
    assert not window.swipe_action.isChecked() and not window.views.swipe.enabled
    assert "no After image yet" in window.statusBar().currentMessage()
    assert _title(window) == "Before"
    denoise_quickly(window)
    window.swipe_action.setChecked(True)
    assert window.views.swipe.enabled
    assert _title(window) == "Before | After (drag the divider)"


def test_swipe_keeps_the_simulations_name(window, settle, denoise_quickly, small_dicom):
    assert window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=1))
    settle(window)
    denoise_quickly(window)
    window.swipe_action.setChecked(True)
    assert _title(window) == "Before: simulated 50 % dose (seed 1) | After (drag the divider)"
    window.start_denoise()  # no After image until its first step
    assert _title(window) == "Before: simulated 50 % dose (seed 1) (swipe: no After image yet)"
    settle(window)
