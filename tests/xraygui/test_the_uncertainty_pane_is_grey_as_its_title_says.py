"""The Uncertainty pane is drawn in grey, black 0 to white at its stated std, as the report.

It was drawn with the inferno colour map while its title said "white 30.7 pixel values"
and the report drew the map in grey.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def test_the_uncertainty_pane_has_no_colour_map(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.controls.samples.setValue(2)
    window.controls.steps.setValue(2)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass
    window.uncertainty_action.setChecked(True)
    pane = window.views.panes["uncertainty"]
    assert pane.title.text.startswith("Uncertainty std, white ")
    assert pane.image_item.lut is None
    assert np.isfinite(pane.image_item.image).all()
