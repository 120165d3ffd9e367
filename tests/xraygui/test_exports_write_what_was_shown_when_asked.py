"""An export writes what the window showed when the user asked, and waits while it changes.

Before, a simulation, or a file opened once a cancelled job had stopped, could replace
the image while the save dialog was open: the export then failed on a bare
AssertionError and wrote nothing, and a report described another image than the one
asked about.
"""

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from core.io import read_image
from core.noise import LowDoseSettings
from xraygui.main_window import ReportOptionsDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def other(tmp_path):
    """Another image, of another shape than the 96 px phantom."""
    path = tmp_path / "other.npy"
    np.save(path, np.random.default_rng(1).normal(2000, 60, (80, 112)).astype(np.float32))
    return path


@pytest.fixture
def denoised(window, small_dicom, settle, denoise_quickly):
    assert window.open_file(small_dicom)
    settle(window)
    denoise_quickly(window)
    settle(window)
    assert window.result is not None
    return window


@pytest.fixture
def asked(monkeypatch):
    """Record the file and folder dialogs and the report's options dialog; each is cancelled."""
    shown = []
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: shown.append("save") or ("", "")),
    )
    monkeypatch.setattr(
        QFileDialog,
        "getExistingDirectory",
        staticmethod(lambda *a, **k: shown.append("folder") or ""),
    )
    monkeypatch.setattr(ReportOptionsDialog, "exec", lambda self: shown.append("options") or 0)
    return shown


def _refusals(dialogs):
    return [text for kind, title, text in dialogs if title == "The image is changing"]


def test_exports_and_the_report_wait_while_a_simulation_runs(denoised, qtbot, dialogs, asked):
    window = denoised
    assert window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=1)) is not None
    window.choose_export_image()
    window.choose_export_uncertainty()
    window.choose_report_dir()
    assert asked == []
    refusals = _refusals(dialogs)
    assert len(refusals) == 3 and all("simulation is running" in text for text in refusals)
    window.cancel()
    qtbot.waitUntil(lambda: window.worker is None, timeout=30000)


def test_exports_wait_for_a_file_that_opens_once_the_cancelled_job_has_stopped(
    denoised, qtbot, dialogs, asked, monkeypatch, other
):
    window = denoised
    assert window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=1)) is not None
    monkeypatch.setattr(window, "may_cancel_for", lambda name: True)  # "Cancel and open"
    assert not window.request_open(other)
    window.choose_export_image()
    window.choose_report_dir()
    assert asked == []
    assert (
        _refusals(dialogs)
        == ["other.npy opens once the cancelled low-dose simulation has stopped: export then."] * 2
    )
    qtbot.waitUntil(lambda: window.image.source_path == other, timeout=30000)


def test_the_result_asked_for_is_written_though_another_image_opens_meanwhile(
    denoised, tmp_path, monkeypatch, other
):
    window = denoised
    result = window.result.image.pixels

    def save_dialog(*args, **kwargs):  # meanwhile the image changes
        assert window.open_file(other)
        return str(tmp_path / "out.tif"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    window.choose_export_image()
    assert window.image.source_path == other and window.result is None
    written = read_image(tmp_path / "out.tif")  # the phantom's result, not other.npy's
    assert written.shape == result.shape == (96, 96)
    np.testing.assert_allclose(written.pixels, result, atol=0.5)  # rounded to integers


def test_no_report_is_written_when_another_image_opens_while_its_folder_is_chosen(
    denoised, tmp_path, monkeypatch, dialogs, other
):
    window = denoised
    folder = tmp_path / "report"
    folder.mkdir()

    def folder_dialog(*args, **kwargs):
        assert window.open_file(other)
        return str(folder)

    monkeypatch.setattr(ReportOptionsDialog, "exec", lambda self: 1)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder_dialog))
    window.choose_report_dir()
    assert list(folder.iterdir()) == []
    assert (
        "information",
        "No report written",
        "No report written: the image shown changed while the folder was being chosen.",
    ) in dialogs
