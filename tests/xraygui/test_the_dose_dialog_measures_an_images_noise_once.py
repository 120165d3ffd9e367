"""Simulate Low Dose measures the opened image's noise once, however often it is opened.

Before, each opening estimated the noise anew in the GUI thread (a second or two for a
3000 x 3000 image). What the dialog shows is the same either way, also where the noise
cannot be estimated.
"""

import numpy as np
import pytest

from core.noise import NoiseEstimate
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def measured(monkeypatch):
    """Count the noise estimates made, by image."""
    made = []
    of_image = NoiseEstimate.of_image.__func__

    def counted(cls, image):
        made.append(image)
        return of_image(cls, image)

    monkeypatch.setattr(NoiseEstimate, "of_image", classmethod(counted))
    return made


def _open(window, settle, path):
    assert window.open_file(path)
    settle(window)


def test_the_noise_is_measured_once_per_image(window, measurable_dicom, settle, measured, qtbot):
    _open(window, settle, measurable_dicom)
    first = window.low_dose_dialog()
    qtbot.addWidget(first)
    del measured[:]  # the window's own estimate, in a worker, is not the dialog's
    again = window.low_dose_dialog()
    qtbot.addWidget(again)
    assert measured == []
    assert again.measured_label.text() == first.measured_label.text()
    assert again.measured_label.text().startswith("Measured: ")
    alone = SimulateDoseDialog(window.source)  # measures it itself, as before
    qtbot.addWidget(alone)
    assert alone.measured_label.text() == again.measured_label.text()


def test_another_image_is_measured_anew(window, measurable_dicom, tmp_path, settle, qtbot):
    _open(window, settle, measurable_dicom)
    qtbot.addWidget(window.low_dose_dialog())
    flat = tmp_path / "flat.npy"
    np.save(flat, np.full((64, 64), 1000, dtype=np.uint16))
    _open(window, settle, flat)
    for _ in range(2):  # why it cannot be measured is kept too
        dialog = window.low_dose_dialog()
        qtbot.addWidget(dialog)
        assert dialog.measured_label.text().startswith("Cannot measure the quanta: ")
        assert not dialog.measure.isEnabled()
    assert window._source_noise is not None and window._source_noise[0] is window.source
