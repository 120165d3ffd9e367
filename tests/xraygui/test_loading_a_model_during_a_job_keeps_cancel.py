"""A model loaded while a job runs (the "..." button, the wizard saving one) leaves Denoise
disabled and Cancel enabled: before, refilling the picker showed the panel idle."""

import shutil

import pytest
from PySide6.QtCore import QSettings

from core.diffusion import card_path
from xraygui.controls import ControlPanel
from xraygui.models import find_models

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("no_cached_model")]


def _idle(panel):
    return panel.denoise_button.isEnabled(), panel.cancel_button.isEnabled()


def test_a_model_loaded_during_a_denoise_leaves_it_cancellable(
    window, small_dicom, tiny_model_path, tmp_path, qtbot, settle
):
    assert window.open_file(small_dicom)
    settle(window)
    window.controls.steps.setValue(1000)  # runs until cancelled
    worker = window.start_denoise()
    assert worker is not None
    other = tmp_path / "other.safetensors"
    shutil.copy(tiny_model_path, other)
    shutil.copy(card_path(tiny_model_path), card_path(other))
    try:
        assert window.add_model_file(other)  # the "..." button
        assert _idle(window.controls) == (False, True)
        window.reload_models(select=other)  # as the wizard's modelSaved does
        assert _idle(window.controls) == (False, True)
        assert window.worker is worker
    finally:
        window.cancel()
        qtbot.waitUntil(lambda: window.worker is None, timeout=30000)
    assert _idle(window.controls) == (True, False)


def test_the_panel_keeps_its_running_state_through_a_refill_and_a_restore(
    qtbot, tmp_path, tiny_model_path
):
    panel = ControlPanel()
    qtbot.addWidget(panel)
    entries = find_models([tiny_model_path])
    panel.set_models(entries)
    assert _idle(panel) == (True, False)
    panel.set_running(True)
    panel.set_models(entries, tiny_model_path)
    assert _idle(panel) == (False, True)
    panel.restore(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert _idle(panel) == (False, True)
    panel.set_running(False)
    panel.set_models(entries)
    assert _idle(panel) == (True, False)
