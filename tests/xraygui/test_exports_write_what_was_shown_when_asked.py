"""An export or report writes what the window showed when the user asked.

Before, a simulation, or a file opened once a cancelled job had stopped, could replace
the image while the save dialog was open: the export then failed on a bare
AssertionError and wrote nothing, and a report described another image than the one
asked about. Then exports and reports were refused while a simulation ran ("export once
it has"), though the simulation replaced the result: it could no longer be exported.
"""

import hashlib
import json

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
def answered_once(monkeypatch, tmp_path, qtbot):
    """Answer the save, folder and options dialogs once `changed()` holds; return the names.

    Set ``answered_once.changed`` to what the dialogs wait for (the image changing).
    """

    class Answers:
        changed = staticmethod(lambda: True)
        image = tmp_path / "out.tif"
        folder = tmp_path / "report"

    answers = Answers()
    answers.folder.mkdir()

    def when_changed(answer):
        def dialog(*args, **kwargs):
            qtbot.waitUntil(answers.changed, timeout=30000)
            return answer

        return staticmethod(dialog)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", when_changed((str(answers.image), "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", when_changed(str(answers.folder)))
    monkeypatch.setattr(ReportOptionsDialog, "exec", lambda self: 1)
    return answers


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _written_as_asked(window, what, answers, result, source):
    """Export or report now; check that it is of the phantom's result, not of what replaced it."""
    if what == "export":
        window.choose_export_image()
        written = read_image(answers.image)
        assert written.shape == result.shape == (96, 96)
        np.testing.assert_allclose(written.pixels, result, atol=0.5)  # rounded to integers
    else:
        window.choose_report_dir()
        (report,) = answers.folder.glob("*.json")
        content = json.loads(report.read_text())
        assert content["source_sha256"] == _sha256(source)
        assert content["simulation"] is None and content["denoising"] is not None


@pytest.mark.parametrize("what", ["export", "report"])
def test_an_export_or_report_asked_for_while_a_simulation_runs_is_written(
    denoised, dialogs, answered_once, small_dicom, what
):
    window = denoised
    result = window.result.image.pixels
    assert window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=1)) is not None
    answered_once.changed = lambda: window.worker is None  # the simulation ends meanwhile
    _written_as_asked(window, what, answered_once, result, small_dicom)
    assert window.dose is not None and window.result is None  # the simulation is shown now
    assert dialogs == []  # nothing refused


@pytest.mark.parametrize("what", ["export", "report"])
def test_an_export_or_report_asked_for_while_a_file_waits_to_open_is_written(
    denoised, dialogs, answered_once, monkeypatch, other, small_dicom, what
):
    window = denoised
    result = window.result.image.pixels
    assert window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=1)) is not None
    monkeypatch.setattr(window, "may_cancel_for", lambda name: True)  # "Cancel and open"
    assert not window.request_open(other)
    answered_once.changed = lambda: window.image.source_path == other  # it opens meanwhile
    _written_as_asked(window, what, answered_once, result, small_dicom)
    assert dialogs == []


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


def test_the_report_asked_for_is_written_though_another_image_opens_meanwhile(
    denoised, tmp_path, monkeypatch, other, small_dicom
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
    assert window.image.source_path == other
    (report,) = folder.glob("*.json")
    content = json.loads(report.read_text())
    assert content["source_sha256"] == _sha256(small_dicom)  # the phantom's, not other.npy's
    assert content["denoising"] is not None
