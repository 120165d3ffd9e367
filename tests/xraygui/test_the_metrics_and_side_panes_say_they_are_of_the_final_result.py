"""The metrics and the Residual pane are of the final result, whatever the After pane shows.

The After pane showed a step, the forward process or a generated image while the metrics
table's row read "Denoised" and nothing said it was the final result; after Generate, the
progress bar kept "Generated from pure noise in N step(s)" back on the denoising steps.
"""

import pytest

from core.noise import LowDoseSettings
from xraygui.metrics_panel import RESULT_ELSEWHERE

pytestmark = pytest.mark.gui


def _wait(qtbot, worker):
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass


def test_the_metrics_say_they_are_of_the_final_result_while_a_step_is_shown(
    window, qtbot, small_dicom, settle
):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=0))
    settle(window)
    window.controls.steps.setValue(3)
    _wait(qtbot, window.start_denoise())
    settle(window)
    table, note = window.metrics.table, window.metrics.elsewhere_label
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "Noisy",
        "Denoised (final)",
    ]
    assert note.isHidden()  # the After pane shows the result
    window.timeline.slider.setValue(0)
    assert not note.isHidden() and note.text() == RESULT_ELSEWHERE
    window.timeline.set_mode("forward")
    assert not note.isHidden()
    window.timeline.set_mode("reverse")
    window.timeline.slider.setValue(window.timeline.slider.maximum())
    assert note.isHidden()


def test_the_generated_caption_gives_way_to_the_results_on_the_steps(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.controls.steps.setValue(2)
    _wait(qtbot, window.start_denoise())
    done = window.controls.progress.format()
    assert done.startswith("Done in ")
    window.timeline.set_mode("demo")
    window.timeline.demo_steps.setValue(2)
    _wait(qtbot, window.start_demo())
    assert window.controls.progress.format() == "Generated from pure noise in 2 step(s)"
    window.timeline.set_mode("reverse")
    assert window.controls.progress.format() == done
