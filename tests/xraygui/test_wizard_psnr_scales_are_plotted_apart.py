"""The Run page plots the two validation PSNRs apart, each named with its scale.

The Gaussian validation's PSNR is on [-1, 1] (the model's domain), the validation at doses'
on [0, 1] of the image's range: the same error reads 6 dB apart, so one axis would mislead.
"""

import pytest

from xraygui.wizard.run_page import RunPage

pytestmark = pytest.mark.gui


def _title(plot) -> str:
    return plot.getPlotItem().titleLabel.text


def _axis(plot) -> str:
    return plot.getPlotItem().getAxis("left").labelText


def test_each_psnr_has_its_own_plot_and_scale(qtbot):
    page = RunPage()
    qtbot.addWidget(page)
    gaussian, doses = page.psnr_curve, page.dose_psnr_curve
    assert gaussian.getViewBox() is not doses.getViewBox()
    assert gaussian in page.psnr_plot.getPlotItem().listDataItems()
    assert doses in page.dose_psnr_plot.getPlotItem().listDataItems()
    assert "Gaussian" in _title(page.psnr_plot) and "doses" in _title(page.dose_psnr_plot)
    assert _axis(page.psnr_plot) == "dB on [-1, 1] (model domain)"
    assert _axis(page.dose_psnr_plot) == "dB on [0, 1] (image's range)"
