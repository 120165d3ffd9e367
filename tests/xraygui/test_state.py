"""What the window shows agrees with its state after each action, and nothing is lost."""

import hashlib
import json

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui

DOSE = LowDoseSettings(dose=0.25, seed=0)


def _wait(qtbot, worker, *signals):
    with qtbot.waitSignals([getattr(worker, s) for s in signals], order="strict", timeout=30000):
        pass


def _denoise(qtbot, window, steps=1):
    window.controls.steps.setValue(steps)
    worker = window.start_denoise()
    _wait(qtbot, worker, "returned", "finished")


def test_a_cancelled_new_run_shows_the_old_result_again_in_the_metrics_and_the_report(
    window, qtbot, settle, small_dicom, tmp_path
):
    window.open_file(small_dicom)
    window.simulate_low_dose(DOSE)
    settle(window)
    _denoise(qtbot, window)
    settle(window)
    first, steps, status = window.result, window.trajectory, window.controls.status.text()
    noise = window.metrics.noise_label.text()
    assert window.metrics.table.rowCount() == 2  # noisy and denoised
    window.controls.steps.setValue(200)
    worker = window.start_denoise()
    assert window.result is None  # the old result is set aside while the run goes on
    worker.yielded.connect(lambda _: window.cancel())
    _wait(qtbot, worker, "aborted", "finished")
    settle(window)
    assert window.result is first and window.trajectory is steps
    table = window.metrics.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "Noisy",
        "Denoised (final)",
    ]
    assert window.metrics.noise_label.text() == noise and not noise.endswith("left: -")
    assert window.controls.status.text() == status
    assert window.controls.progress.format() == "Cancelled: showing the previous result"
    report = json.loads(window.export_report(tmp_path / "report")[1].read_text())
    assert report["denoising"]["steps"] == 1 and report["noise_std"]["after"] is not None
    assert "note" not in report


def test_export_replaces_a_file_the_save_dialog_asked_about(
    window, qtbot, small_dicom, tmp_path, monkeypatch
):
    window.open_file(small_dicom)
    _denoise(qtbot, window)
    existing = tmp_path / "mine_denoised.dcm"
    existing.write_bytes(b"old")
    # The file dialog asks "replace?" itself; choosing the file means yes.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(existing), ""))
    window.choose_export_image()
    assert existing.read_bytes()[128:132] == b"DICM"
    assert window.errors == []


def test_reports_into_the_same_folder_never_replace_each_other(
    window, qtbot, small_dicom, tmp_path
):
    window.open_file(small_dicom)
    first = window.export_report(tmp_path, include_identifiers=True)
    kept = {path: path.read_bytes() for path in first}
    second = window.export_report(tmp_path, include_identifiers=True)
    assert [p.name for p in second] == [
        "phantom_report_2.pdf",
        "phantom_report_2.json",
        "phantom_report_2.csv",
    ]
    assert {path: path.read_bytes() for path in first} == kept
    stem = f"image_{hashlib.sha256(small_dicom.read_bytes()).hexdigest()[:12]}_report"
    neutral = [window.export_report(tmp_path) for _ in range(2)]  # without identifiers
    assert [[p.name for p in paths] for paths in neutral] == [
        [f"{name}{suffix}" for suffix in (".pdf", ".json", ".csv")] for name in (stem, f"{stem}_2")
    ]


def test_a_failed_run_and_a_batch_leave_no_running_label(
    window, qtbot, small_dicom, tmp_path, monkeypatch
):
    import xraygui.jobs

    window.open_file(small_dicom)
    _denoise(qtbot, window)
    shown = window.result

    def broken(*args, **kwargs):
        raise ValueError("the noise cannot be estimated")

    with monkeypatch.context() as patched:
        patched.setattr(xraygui.jobs, "denoise_steps", broken)
        worker = window.start_denoise()
        _wait(qtbot, worker, "errored", "finished")
    assert window.result is shown  # the failed run's predecessor is shown again
    assert "Running" not in window.timeline.label.text()
    _denoise(qtbot, window)
    shown = window.result
    worker = window.start_batch(small_dicom.parent, small_dicom.parent)  # refused: same folder
    _wait(qtbot, worker, "errored", "finished")
    assert window.result is shown  # a refused batch leaves the shown result alone
    assert "Running" not in window.timeline.label.text()
    assert window.controls.progress.format() == "Failed"


def test_a_new_image_resets_the_panel_and_moves_the_region_into_it(
    window, qtbot, settle, small_dicom, ramp
):
    window.open_file(small_dicom)
    _denoise(qtbot, window)
    assert window.controls.status.text()  # the result's model and settings
    window.roi_action.setChecked(True)
    window.open_file(ramp)  # 50 x 40
    assert window.controls.status.text() == "" and window.controls.progress.format() == ""
    region = window.region()
    assert region is not None and region.row + region.height <= 40
    assert region.col + region.width <= 50


def test_the_window_label_keeps_the_digits_of_a_float_image(window, ramp):
    window.open_file(ramp)  # values 0 to 1
    text = window.window_label.text()
    assert text.startswith("W ") and text not in ("W 1 C 0", "W 0 C 0")
    width, centre = float(text.split()[1]), float(text.split()[3])
    assert 0 < width <= 1 and 0 < centre < 1


def test_switching_to_demo_says_what_to_do_not_the_forward_process(window, small_dicom):
    window.open_file(small_dicom)
    window.timeline.set_mode("forward")
    assert window.timeline.label.text().startswith("forward q(x_t | x_0)")
    window.timeline.set_mode("demo")
    assert window.timeline.label.text() == "Demo: press Generate"
    window.timeline.set_mode("reverse")
    assert window.timeline.label.text() == "No steps yet: press Denoise"


def test_a_cancelled_demo_keeps_the_denoised_result(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    _denoise(qtbot, window)
    shown, status = window.result, window.controls.status.text()
    window.timeline.set_mode("demo")
    window.timeline.demo_steps.setValue(50)
    worker = window.start_demo()
    worker.yielded.connect(lambda _: window.cancel())
    _wait(qtbot, worker, "aborted", "finished")
    assert window.result is shown and window.controls.status.text() == status
    assert window.timeline.label.text() == "Cancelled: press Generate"


def test_the_uncertainty_pane_says_it_is_computing_during_a_run(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.uncertainty_action.setChecked(True)
    window.controls.samples.setValue(2)
    window.controls.steps.setValue(2)
    titles = []
    worker = window.start_denoise()
    worker.yielded.connect(lambda _: titles.append(window.views.panes["uncertainty"].title.text))
    _wait(qtbot, worker, "returned", "finished")
    assert window.controls.status.text().endswith("; uncertainty from 2 samples")
    assert titles and set(titles) == {"Uncertainty: computing..."}
    assert window.views.panes["uncertainty"].title.text.startswith("Uncertainty std, white ")
    assert np.isfinite(window.result.uncertainty).all()


def test_help_lists_every_control_in_a_table(window):
    from xraygui.main_window import CONTROLS, HELP_TEXT

    assert HELP_TEXT.startswith("<table>") and HELP_TEXT.count("<tr>") == len(CONTROLS)
    assert ("U", "uncertainty pane") in CONTROLS


def test_an_image_too_small_for_ssim_shows_a_dash_and_the_reason(window, qtbot, settle, tmp_path):
    small, reference = tmp_path / "small.npy", tmp_path / "reference.npy"
    np.save(small, np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10))
    np.save(reference, np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10) ** 2)
    window.open_file(small)
    assert window.set_reference(reference)
    settle(window)
    ssim = window.metrics.table.item(0, 4)
    assert ssim.text() == "-"
    assert ssim.toolTip().endswith("; SSIM needs at least 11 x 11 pixels; the image is 10 x 10")
    assert window.metrics.table.item(0, 3).text() != "-"  # PSNR is there
