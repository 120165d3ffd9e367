"""While a job runs, a command that would start another asks nothing, and says why.

Before, Simulate Low Dose showed its dialog and Batch Denoise Folder its two folder
pickers, and only then refused; Choose Reference Image already refused first. Every
command that starts a job now refuses before it asks.
"""

import pytest
from PySide6.QtWidgets import QFileDialog

import xraygui.main_window

pytestmark = pytest.mark.gui


def test_simulate_batch_and_reference_refuse_before_asking(
    window, small_dicom, tmp_path, qtbot, settle, monkeypatch
):
    assert window.open_file(small_dicom)
    settle(window)
    window.controls.steps.setValue(1000)
    worker = window.start_denoise()
    asked = []
    monkeypatch.setattr(
        xraygui.main_window.SimulateDoseDialog, "exec", lambda self: asked.append("dose") or 0
    )
    for name in ("getExistingDirectory", "getOpenFileName"):
        monkeypatch.setattr(
            QFileDialog, name, staticmethod(lambda *a, name=name, **k: asked.append(name) or "")
        )
    for command in (window.choose_low_dose, window.choose_batch, window.choose_reference):
        command()
        assert window.statusBar().currentMessage() == (
            "Busy: wait for the run to finish or press Cancel"
        )
    assert asked == [] and window.worker is worker
    window.cancel()
    qtbot.waitUntil(lambda: window.worker is None, timeout=30000)
