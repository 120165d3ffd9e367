"""Denoising again keeps the finished result until the new run returns."""

import json

import pytest

pytestmark = pytest.mark.gui


def _denoise(qtbot, window, steps):
    window.controls.steps.setValue(steps)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    return window.result


def test_a_failing_new_run_shows_the_old_result_again(window, qtbot, small_dicom, dialogs):
    window.open_file(small_dicom)
    first = _denoise(qtbot, window, 1)
    steps = window.trajectory
    window.controls.device.setCurrentText("mps")  # not on this machine
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.errored, worker.finished], order="strict", timeout=10000):
        pass
    assert dialogs[-1][0] == "critical" and "mps" in dialogs[-1][2]
    assert window.result is first and window.trajectory is steps
    assert window.controls.progress.format() == "Failed"


def test_cancel_after_the_run_has_returned_delivers_its_result(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    first = _denoise(qtbot, window, 1)
    worker = window.start_denoise()
    assert worker.wait(30000)  # returned: its result waits in the queue for the GUI
    assert worker.has_returned
    window.cancel()  # nothing left to cancel
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=10000):
        pass
    assert window.result is not None and window.result is not first
    assert window.controls.progress.format().startswith("Done in")


def test_while_a_run_goes_on_export_says_so_and_a_report_leaves_it_out(
    window, qtbot, small_dicom, dialogs, tmp_path
):
    window.open_file(small_dicom)
    first = _denoise(qtbot, window, 1)
    window.controls.steps.setValue(200)
    worker = window.start_denoise()
    window.choose_export_image()
    assert dialogs[-1] == (
        "information",
        "Denoise running",
        "A denoise is running: wait for its result, or press Cancel to export the previous one.",
    )
    report = json.loads(window.export_report(tmp_path)[1].read_text())
    assert report["note"] == (
        "A denoise was running when this report was made: it is not included, "
        "nor the earlier result it is replacing."
    )
    assert report["denoising"] is None
    window.cancel()
    with qtbot.waitSignals([worker.aborted, worker.finished], order="strict", timeout=10000):
        pass
    assert window.result is first
