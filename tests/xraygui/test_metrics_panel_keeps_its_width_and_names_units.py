"""The metrics panel keeps its width when metrics arrive, and names the units of its numbers.

A word-wrapped label's width hint follows its text: the noise-floor sentence once widened
the right-hand docks by about 90 px when a simulation's metrics arrived, and the images
beside them jumped.
"""

import pytest
from PySide6.QtCore import Qt

from core.io import read_image, write_new_dicom
from core.noise import phantom_image
from xraygui.analysis import comparisons, noise_estimate
from xraygui.metrics_panel import MetricsPanel

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """A 12-bit phantom at 500 quanta per pixel against one at 20000, which has noise of its own."""
    folder = tmp_path_factory.mktemp("pair")
    images = []
    for name, photons in (("noisy.dcm", 500.0), ("reference.dcm", 20000.0)):
        pixels = phantom_image((256, 256), bits_stored=12, photons_per_pixel=photons, seed=3)
        images.append(read_image(write_new_dicom(pixels, folder / name, bits_stored=12)))
    noisy, reference = images
    noise = noise_estimate(reference)
    return comparisons(noisy, reference, None, reference_noise=noise), noise.sigma


def test_the_panel_width_does_not_follow_the_noise_floor_sentence(qtbot, measured):
    rows, reference_noise = measured
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.show()
    before = panel.sizeHint().width()
    panel.set_rows(rows, reference_noise)
    assert panel.floor_label.isVisibleTo(panel)
    assert (
        "not its global estimate" in panel.floor_label.text()
    )  # a long sentence, wrapped over lines
    assert panel.sizeHint().width() == before
    panel.set_inputs(31.06, 0.3869, has_reference=True)
    assert panel.sizeHint().width() == before


def test_the_numbers_have_units_and_are_right_aligned(qtbot, measured):
    rows, _ = measured
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.set_inputs(31.06, None, has_reference=True)
    assert panel.noise_label.text().startswith("Input noise (std, pixel values): 31.06\n")
    panel.set_rows(rows)
    headers = [panel.table.horizontalHeaderItem(j).text() for j in range(panel.table.columnCount())]
    assert headers == ["vs reference", "Where", "MSE (px val²)", "PSNR dB", "SSIM"]
    assert "pixel values squared" in panel.table.horizontalHeaderItem(2).toolTip()
    for j in range(panel.table.columnCount()):
        alignment = Qt.AlignmentFlag(panel.table.item(0, j).textAlignment())
        assert bool(alignment & Qt.AlignmentFlag.AlignRight) == (j >= 2), headers[j]
