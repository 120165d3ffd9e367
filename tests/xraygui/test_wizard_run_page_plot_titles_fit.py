"""The Run page's plot titles fit their plots at the wizard's width (none is cut off)."""

import pytest

from xraygui.wizard.run_page import RunPage

pytestmark = pytest.mark.gui


def test_every_plot_title_fits_its_plot(qtbot):
    page = RunPage()
    qtbot.addWidget(page)
    page.resize(780, 540)  # the page in a wizard of its default 820 px
    page.show()
    qtbot.waitExposed(page)
    for plot in (page.loss_plot, page.ssim_plot, page.psnr_plot, page.dose_psnr_plot):
        title = plot.getPlotItem().titleLabel
        assert title.item.boundingRect().width() <= plot.width(), title.text
