"""Image > Use Original undoes a simulation: it brings back the reference that it replaced.

With no simulation shown it is disabled and does nothing, so a result and a chosen
reference are never dropped by it.
"""

import shutil

import pytest

from core.noise import LowDoseSettings
from xraygui import reports

pytestmark = pytest.mark.gui


@pytest.fixture
def truth(tmp_path, small_dicom):
    path = tmp_path / "truth.dcm"
    shutil.copy(small_dicom, path)
    return path


def test_use_original_is_enabled_only_while_a_simulation_is_shown(window, settle, small_dicom):
    action = window.use_original_action
    assert not action.isEnabled()  # no image
    window.open_file(small_dicom)
    assert not action.isEnabled()
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=1))
    settle(window)
    assert action.isEnabled()
    window.restore_original()
    assert not action.isEnabled()
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=1))
    settle(window)
    window.open_file(small_dicom)  # an image opened again shows no simulation
    assert not action.isEnabled()


def test_use_original_with_no_simulation_keeps_the_result_and_the_reference(
    window, settle, denoise_quickly, small_dicom, truth
):
    window.open_file(small_dicom)
    assert window.set_reference(truth)
    settle(window)
    denoise_quickly(window)
    settle(window)
    result, reference = window.result, window.reference
    window.restore_original()
    assert window.result is result and window.reference is reference
    assert window.reference_kind == reports.USER_CHOSEN


def test_undoing_a_simulation_brings_back_the_chosen_reference(window, settle, small_dicom, truth):
    window.open_file(small_dicom)
    assert window.set_reference(truth)
    chosen = window.reference
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=1))
    settle(window)
    window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=2))  # a second one replaces it
    settle(window)
    assert window.reference_kind == reports.SIMULATION_SOURCE
    window.restore_original()
    settle(window)
    assert window.reference is chosen and window.reference_kind == reports.USER_CHOSEN
    assert window.image is window.source and window.dose is None
    assert window.comparison_rows()  # the metrics are against the chosen reference again


def test_undoing_a_simulation_keeps_a_reference_chosen_while_it_was_shown(
    window, settle, small_dicom, truth
):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=1))
    settle(window)
    assert window.set_reference(truth)
    chosen = window.reference
    window.restore_original()
    assert window.reference is chosen and window.reference_kind == reports.USER_CHOSEN


def test_undoing_a_simulation_of_an_image_with_no_reference_leaves_none(
    window, settle, small_dicom
):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=1))
    settle(window)
    window.restore_original()
    assert window.reference is None and window.reference_kind is None
