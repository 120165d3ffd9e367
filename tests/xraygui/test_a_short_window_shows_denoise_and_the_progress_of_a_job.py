"""In a short window the Denoise button and the progress of a running job stay in sight.

At 1280 x 720 (1080p at 150 %) the two right docks shared the height by their size hints:
the Denoise panel was scrolled so that Denoise, Cancel and the progress bar were cut, and
a running job showed no progress anywhere. The panel now gets its full height first, and
the status bar shows a copy of the progress bar while a job runs.
"""

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui

SHORT = (1280, 720)


def _whole_in_sight(widget) -> bool:
    return widget.isVisible() and widget.visibleRegion().boundingRect().size() == widget.size()


def test_denoise_and_the_progress_are_in_sight_while_a_job_runs(
    window_on, settings, qtbot, small_dicom, settle
):
    window = window_on(settings)
    window.resize(*SHORT)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_file(small_dicom)
    controls = window.controls
    assert not window.job_progress.isVisible()
    controls.steps.setValue(1000)
    window.start_denoise()
    try:
        assert window.worker is not None
        for widget in (controls.denoise_button, controls.cancel_button, controls.progress):
            assert _whole_in_sight(widget), widget.text() if hasattr(widget, "text") else widget
        assert _whole_in_sight(window.job_progress)
        controls.show_progress(3, 10, "step 3/10")
        assert (window.job_progress.value(), window.job_progress.maximum()) == (3, 10)
        assert window.job_progress.toolTip() == "step 3/10"
    finally:
        window.cancel()
        settle(window)
    assert not window.job_progress.isVisible()


def test_the_status_bar_shows_the_progress_where_the_panel_cannot(
    window_on, settings, qtbot, small_dicom, settle
):
    window = window_on(settings)
    window.show()
    window.controls_dock.hide()
    assert window.open_file(small_dicom)
    window.controls.steps.setValue(1000)
    window.start_denoise()
    try:
        assert _whole_in_sight(window.job_progress)
    finally:
        window.cancel()
        settle(window)


def test_a_saved_dock_layout_is_kept(window_on, settings, qtbot):
    first = window_on(settings)
    first.resize(*SHORT)
    first.show()
    qtbot.waitExposed(first)
    docks = [first.controls_dock, first.metrics_dock]
    first.resizeDocks(docks, [200, 400], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: docks[0].height() < docks[1].height())
    heights = [dock.height() for dock in docks]
    first.close()
    second = window_on(settings)
    second.show()
    qtbot.waitExposed(second)
    assert [second.controls_dock.height(), second.metrics_dock.height()] == heights


def test_a_results_description_is_in_sight_at_the_usual_size(
    window_on, settings, qtbot, small_dicom
):
    # The panel's hint at start has no description: sized by it alone, a result's 4 lines
    # were scrolled out of the panel at 1600 x 950.
    window = window_on(settings)
    window.resize(1600, 950)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_file(small_dicom)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    qtbot.wait(50)  # the label's new height is laid out
    assert window.controls.status.text()
    assert _whole_in_sight(window.controls.status)
