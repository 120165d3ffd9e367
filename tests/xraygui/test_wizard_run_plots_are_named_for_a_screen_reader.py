"""The Run page's plots and log have accessible names, and the plots say their latest points.

A screen reader announced the four plots as unnamed graphics and the log as an unnamed
text field: a user who cannot see the curves learnt nothing of the training's progress.
Each plot is now named by its title and describes its latest point(s).
"""

import pytest

from xraygui.wizard.run_page import DOSES, GAUSSIAN, NO_POINTS, RunPage, latest_points

pytestmark = pytest.mark.gui


def test_plots_and_log_are_named_and_say_their_latest_points(qtbot):
    page = RunPage()
    qtbot.addWidget(page)
    plots = (page.loss_plot, page.psnr_plot, page.dose_psnr_plot, page.ssim_plot)
    assert [plot.accessibleName() for plot in plots] == [
        "Training loss",
        f"Validation PSNR: {GAUSSIAN}",
        f"Validation PSNR: {DOSES}",
        "Validation SSIM",
    ]
    assert page.log.accessibleName() == "Training log"
    assert {plot.accessibleDescription() for plot in plots} == {NO_POINTS}

    page.losses.extend([(100, 0.05), (1200, 0.01234567)])
    page.validations.append((1000, 38.2071, 0.931234))
    page.dose_validations.append((1000, 44.5, 0.91049))
    page._draw()
    assert page.loss_plot.accessibleDescription() == "step 1200: 0.01235"
    assert page.psnr_plot.accessibleDescription() == "step 1000: 38.21 dB"
    assert page.dose_psnr_plot.accessibleDescription() == "step 1000: 44.5 dB"
    assert page.ssim_plot.accessibleDescription() == (
        f"{GAUSSIAN}: step 1000: 0.9312; {DOSES}: step 1000: 0.9105"
    )


def test_a_curve_without_points_is_left_out():
    assert latest_points({"a": [], "b": [(3, 1.0)]}) == "b: step 3: 1"
    assert latest_points({"a": []}) == NO_POINTS
