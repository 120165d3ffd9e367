"""The Metrics dock scrolls in a short window rather than cutting its text and its table.

At 1280 x 720 with 150 % scaling (853 x 480 logical, the app's design target) the dock
was squeezed: the noise-floor sentence was cut mid-line and the table showed no row.
"""

import pytest

from core.io import read_image, write_new_dicom
from core.noise import phantom_image
from xraygui.analysis import comparisons, noise_estimate
from xraygui.compact import VerticalScroll

pytestmark = pytest.mark.gui

SMALL_SCREEN = (853, 480)
"""1280 x 720 at 150 %, in logical pixels."""


@pytest.fixture(scope="module")
def two_rows(tmp_path_factory):
    """Noisy and "denoised" rows against a reference with noise of its own (a long note)."""
    folder = tmp_path_factory.mktemp("pair")
    images = []
    for name, photons in (("noisy.dcm", 500.0), ("reference.dcm", 20000.0)):
        pixels = phantom_image((128, 128), bits_stored=12, photons_per_pixel=photons, seed=3)
        images.append(read_image(write_new_dicom(pixels, folder / name, bits_stored=12)))
    noisy, reference = images
    noise = noise_estimate(reference)
    return comparisons(reference, noisy, noisy, reference_noise=noise), noise.sigma


def test_the_dock_holds_the_panel_in_a_vertical_scroll(window):
    scroll = window.metrics_dock.widget()
    assert isinstance(scroll, VerticalScroll) and scroll.widget() is window.metrics
    table = window.metrics.table
    rows = 2 * table.verticalHeader().defaultSectionSize()
    assert table.minimumHeight() >= table.horizontalHeader().sizeHint().height() + rows


def test_a_small_scaled_screen_cuts_no_line_and_shows_two_rows(window, qtbot, two_rows):
    rows, reference_noise = two_rows
    assert len(rows) == 2
    window.metrics.set_inputs(31.06, 0.3869, has_reference=True)
    window.metrics.set_rows(rows, reference_noise)
    window.resize(*SMALL_SCREEN)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == SMALL_SCREEN)
    qtbot.wait(50)
    panel = window.metrics
    assert panel.floor_label.isVisible()
    for label in (panel.noise_label, panel.floor_label, panel.range_label):
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    table = panel.table
    shown = sum(
        1
        for row in range(table.rowCount())
        if 0 <= table.rowViewportPosition(row)
        and table.rowViewportPosition(row) + table.rowHeight(row) <= table.viewport().height()
    )
    assert shown == 2
