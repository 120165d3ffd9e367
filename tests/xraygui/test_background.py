"""Dose simulation and metrics run in worker threads: the window stays responsive."""

import threading

import numpy as np
import pytest

from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui

DOSE = LowDoseSettings(dose=0.25, seed=0)


def _in_worker(monkeypatch, module, name, threads):
    """Wrap ``module.name`` to record the thread it runs in."""
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


def test_a_simulation_runs_in_a_worker_and_holds_the_window_until_it_ends(
    window, qtbot, small_dicom, monkeypatch
):
    import xraygui.jobs

    on_main = []
    _in_worker(monkeypatch, xraygui.jobs, "simulate_low_dose_image", on_main)
    window.open_file(small_dicom)
    original = window.image
    worker = window.simulate_low_dose(DOSE)
    assert worker is not None and window.worker is worker
    assert window.controls.progress.format() == "Simulating a 25 % dose..."
    assert not window.controls.denoise_button.isEnabled()
    assert window.controls.cancel_button.isEnabled()
    assert window.simulate_low_dose(DOSE) is None  # one job at a time
    assert "Busy" in window.statusBar().currentMessage()
    # Right after the image is replaced, before its metrics come: no "no reference" hint.
    hint_hidden = []
    worker.returned.connect(lambda _: hint_hidden.append(window.metrics.hint.isHidden()))
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=10000):
        pass
    assert on_main == [False] and hint_hidden == [True]
    assert window.reference is original and window.image is not original
    assert window.dose == DOSE
    assert window.statusBar().currentMessage().startswith("Showing a simulated 25 % dose")
    assert window.controls.denoise_button.isEnabled()
    assert not window.controls.cancel_button.isEnabled()


def test_a_cancelled_simulation_leaves_the_image_as_it_was(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    original = window.image
    worker = window.simulate_low_dose(DOSE)
    window.cancel()
    with qtbot.waitSignals([worker.aborted, worker.finished], order="strict", timeout=10000):
        pass
    assert window.image is original and window.reference is None and window.dose is None
    assert window.controls.progress.format() == "Cancelled: the image is unchanged"
    assert window.worker is None


def test_a_failed_simulation_is_one_line_and_changes_nothing(
    window, qtbot, small_dicom, dialogs, monkeypatch
):
    import xraygui.jobs

    def refuse(source, settings):
        raise ValueError("a dose of 25 % leaves no quanta in this image")

    monkeypatch.setattr(xraygui.jobs, "simulate_low_dose_image", refuse)
    window.open_file(small_dicom)
    original = window.image
    worker = window.simulate_low_dose(DOSE)
    with qtbot.waitSignals([worker.errored, worker.finished], order="strict", timeout=10000):
        pass
    assert dialogs == [
        ("critical", "Cannot simulate", "a dose of 25 % leaves no quanta in this image")
    ]
    assert window.image is original and window.reference is None
    assert window.controls.progress.format() == "Failed"


def test_metrics_are_computed_in_a_worker_and_shown_when_done(
    window, qtbot, settle, small_dicom, monkeypatch
):
    import xraygui.jobs

    window.open_file(small_dicom)
    window.simulate_low_dose(DOSE)
    settle(window)
    on_main = []
    _in_worker(monkeypatch, xraygui.jobs, "comparisons", on_main)
    shown = []
    window.metricsShown.connect(lambda: shown.append(window.metrics.table.rowCount()))
    window.roi_action.setChecked(True)
    assert window.computing_metrics and not window.metrics_current()
    assert not window.metrics.pending_label.isHidden()
    assert not window.metrics.table.isEnabled()  # greyed until the new rows come
    settle(window)
    # Only the region's rows were computed: the whole image's were kept.
    assert on_main == [False] and shown == [2]
    assert window.metrics_current() and window.metrics.pending_label.isHidden()
    assert window.metrics.table.isEnabled()


def test_metrics_asked_for_while_computing_end_with_the_latest_region(
    window, qtbot, settle, small_dicom
):
    window.open_file(small_dicom)
    window.simulate_low_dose(DOSE)
    settle(window)
    window.roi_action.setChecked(True)
    starts = []
    window.metrics.set_pending = lambda on: starts.append(on) if on else None
    for col in (10, 20, 30):
        window.roi.setPos((col, 8))  # each move asks for the region's metrics
    settle(window)
    assert window.metrics_current()
    rows = window.comparison_rows()
    assert [row.scope for row in rows][-1] == window.region().as_text()
    assert window.region().col == 30
    assert len(starts) <= 2  # the running computation, then one for the latest region


def test_metrics_of_images_replaced_meanwhile_are_never_shown(window, qtbot, settle, small_dicom):
    window.open_file(small_dicom)
    window.simulate_low_dose(DOSE)
    settle(window)
    shown = []
    window.metricsShown.connect(
        lambda: shown.append((window.metrics.table.rowCount(), window.reference is None))
    )
    window.roi_action.setChecked(True)  # the region's rows against the reference...
    assert window.computing_metrics
    window.restore_original()  # ...but the reference is gone before they come
    assert window.computing_metrics and window.metrics.hint.isVisibleTo(window.metrics)
    settle(window)
    assert shown == [(0, True)]
    assert window.metrics_current() and window.metrics.hint.isVisibleTo(window.metrics)


def test_a_failing_metrics_computation_is_reported_once(
    window, qtbot, settle, small_dicom, dialogs, monkeypatch
):
    import xraygui.jobs

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    window.open_file(small_dicom)
    window.simulate_low_dose(DOSE)
    settle(window)
    monkeypatch.setattr(xraygui.jobs, "comparisons", broken)
    window.roi_action.setChecked(True)
    settle(window)
    assert len(dialogs) == 1
    kind, title, text = dialogs[0]
    assert title == "Cannot compute the metrics"
    assert text.startswith("unexpected RuntimeError at ") and "boom" in text
    assert window.metrics_current() and window.metrics.table.rowCount() == 0


def test_the_metrics_match_a_direct_computation(window, qtbot, settle, small_dicom):
    from xraygui.analysis import comparisons

    window.open_file(small_dicom)
    window.simulate_low_dose(DOSE)
    settle(window)
    direct = comparisons(
        window.reference, window.image, None, reference_noise=window.reference_noise()
    )
    shown = window.comparison_rows()
    assert [row.label for row in shown] == [row.label for row in direct]
    np.testing.assert_allclose(
        [row.metrics.psnr for row in shown], [row.metrics.psnr for row in direct]
    )
    assert shown[0].noise_free_psnr == pytest.approx(direct[0].noise_free_psnr)


def test_without_a_reference_nothing_is_computed_and_nothing_waits(window, small_dicom):
    shown = []
    window.metricsShown.connect(lambda: shown.append(window.metrics.table.rowCount()))
    window.open_file(small_dicom)
    assert not window.computing_metrics and window.metrics_current()
    assert shown == [0] and window.metrics.pending_label.isHidden()
    assert window.metrics.hint.isVisibleTo(window.metrics)


def test_an_opened_images_noise_is_estimated_in_a_worker(window, qtbot, monkeypatch, small_dicom):
    from xraygui import jobs
    from xraygui.analysis import noise_sigma

    threads = []
    _in_worker(monkeypatch, jobs, "noise_sigma", threads)
    window.open_file(small_dicom)
    assert window.metrics.noise_label.text() == (
        "Input noise (std, pixel values): estimating...\n"
        "Pixel-scale noise left (std, pixel values): -"
    )
    qtbot.waitUntil(lambda: not window.estimating_noise, timeout=30000)
    assert threads == [False]
    expected = (
        f"Input noise (std, pixel values): {noise_sigma(window.image):.4g}\n"
        "Pixel-scale noise left (std, pixel values): -"
    )
    assert window.metrics.noise_label.text() == expected


def test_a_report_asked_for_before_the_estimate_comes_has_it(window, small_dicom, tmp_path):
    import json

    from xraygui.analysis import noise_sigma

    window.open_file(small_dicom)
    assert window.estimating_noise
    report = json.loads(window.export_report(tmp_path / "report")[1].read_text())
    assert report["noise_std"]["before"] == pytest.approx(noise_sigma(window.image))
    assert not window.estimating_noise  # made once: the worker's late answer is dropped
