"""The window's state as a review found it: the running job's samples, the last dose, the
final result written while a step is shown."""

import json

import pytest
from PySide6.QtWidgets import QFileDialog

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui


def _title(window):
    return window.views.panes["uncertainty"].title.text


def _run(window, qtbot, *, samples, steps=1):
    window.controls.steps.setValue(steps)
    window.controls.views.setCurrentIndex(window.controls.views.findData(1))
    window.controls.samples.setValue(samples)
    return window.start_denoise()


def test_the_uncertainty_title_follows_the_running_job_not_the_panel(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.uncertainty_action.setChecked(True)
    worker = _run(window, qtbot, samples=2)
    window.controls.samples.setValue(0)
    window.refresh()
    assert _title(window) == "Uncertainty: computing..."
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    assert _title(window).startswith("Uncertainty std")
    worker = _run(window, qtbot, samples=0)
    window.controls.samples.setValue(3)
    window.refresh()
    assert _title(window) == "Uncertainty: set samples > 0, then Denoise"
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass


def test_the_dose_dialog_shows_the_last_simulation(window, settle, small_dicom):
    window.open_file(small_dicom)
    fresh = window.low_dose_dialog().settings()
    assert (fresh.dose, fresh.seed) == (0.25, 0)
    last = LowDoseSettings(
        dose=0.07, photons_per_pixel=321.5, electronic_noise=2.5, seed=7, max_attenuation=5.0
    )
    window.simulate_low_dose(last)
    settle(window)
    assert window.low_dose_dialog().settings() == last
    window.restore_original()
    assert window.low_dose_dialog().settings() == last
    window.open_file(small_dicom)
    assert window.low_dose_dialog().settings().seed == 0


def test_an_export_while_a_step_is_shown_says_it_writes_the_final_result(
    window, qtbot, small_dicom, tmp_path, monkeypatch
):
    window.open_file(small_dicom)
    worker = _run(window, qtbot, samples=0, steps=3)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    assert window.step_shown() is None
    window.timeline.slider.setValue(0)
    step = window.step_shown()
    assert step is not None and "step 1/3" in step
    titles = []
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda parent, title, default, filters: (
            titles.append(title) or (str(tmp_path / "out.dcm"), "")
        ),
    )
    window.choose_export_image()
    said = f"(the final result, not the step shown: {step})"
    assert titles == [f"Export denoised image {said}"]
    assert window.statusBar().currentMessage() == f"Written {said}: {tmp_path / 'out.dcm'}"
    report = json.loads(window.export_report(tmp_path / "report")[1].read_text())
    assert report["image"]["display"].endswith(
        f"; After is the final result, not the step shown ({step})"
    )
    window.timeline.slider.setValue(window.timeline.slider.maximum())
    assert window.step_shown() is None
