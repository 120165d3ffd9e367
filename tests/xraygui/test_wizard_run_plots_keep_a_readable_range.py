"""The Run page's plots: a flat PSNR looks flat, and the loss axis is named with ticks."""

import pytest

from xraygui.wizard.run_page import LOSS_MIN_DECADES, PSNR_MIN_RANGE_DB, RunPage

pytestmark = pytest.mark.gui


def _span(plot) -> float:
    low, high = plot.getPlotItem().getViewBox().viewRange()[1]
    return high - low


def test_a_flat_psnr_curve_is_not_zoomed_to_a_thousandth_of_a_db(qtbot):
    page = RunPage()
    qtbot.addWidget(page)
    page.resize(800, 500)
    page.show()
    qtbot.waitExposed(page)
    page.psnr_curve.setData([20, 40], [36.548, 36.558])
    page.dose_psnr_curve.setData([20, 40], [44.2578, 44.2587])
    page.loss_curve.setData([1, 2, 3], [0.9, 1.1, 1.0])
    for plot in (page.psnr_plot, page.dose_psnr_plot, page.loss_plot):
        plot.getPlotItem().getViewBox().autoRange()
    assert _span(page.psnr_plot) >= PSNR_MIN_RANGE_DB - 1e-9
    assert _span(page.dose_psnr_plot) >= PSNR_MIN_RANGE_DB - 1e-9
    assert _span(page.loss_plot) >= LOSS_MIN_DECADES - 1e-9  # log10 units: two decades


def test_the_loss_axis_is_labelled_at_whole_decades(qtbot):
    page = RunPage()
    qtbot.addWidget(page)
    axis = page.loss_plot.getPlotItem().getAxis("left")
    assert "loss" in axis.labelText
    values = [v for _spacing, level in axis.tickValues(-1.0, 1.0, 150) for v in level]
    assert values == [-1.0, 0.0, 1.0]  # 0.1, 1 and 10: no labels 2 to 9 piled between
