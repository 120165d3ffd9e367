"""The timeline's sigma is in model units; the side panes give their scales in pixel values.

The Residual pane's title gives its grey scale as the report's caption does, and the
Uncertainty pane's says its white is in pixel values.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def test_the_labels_and_titles_name_their_units(window, small_dicom, settle, denoise_quickly):
    window.open_file(small_dicom)
    settle(window)
    window.residual_action.setChecked(True)
    window.uncertainty_action.setChecked(True)
    window.controls.samples.setValue(2)
    denoise_quickly(window)
    settle(window)
    window.timeline.slider.setValue(0)
    assert window.timeline.label.text().endswith(" (model units)")
    residual = window.image.pixels - window.result.image.pixels
    spread = float(np.percentile(np.abs(residual), 99.5))
    assert window.views.panes["residual"].title.text == (
        f"Residual, grey ±{spread:.4g} pixel values (Before - final result)"
    )
    white = float(np.percentile(window.result.uncertainty, 99.5))
    assert window.views.panes["uncertainty"].title.text == (
        f"Uncertainty std, white {white:.3g} pixel values"
    )
