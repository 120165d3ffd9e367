"""The dose dialog, opened on the last simulation, gives back its dose to the last bit.

It showed the last dose to 12 significant digits, so OK simulated and recorded another
dose (0.123456789012 for 0.123456789012345). A percent held as a float cannot give back
every dose exactly, so while the field shows the last dose, the last dose is taken.
"""

import pytest

from core.io import read_image
from core.noise import LowDoseSettings
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("dose", [0.123456789012345, 0.07, 0.3333333333333333, 0.0051])
def test_the_last_dose_comes_back_exactly(qtbot, small_dicom, dose):
    last = LowDoseSettings(dose=dose, photons_per_pixel=2000.0, seed=5)
    dialog = SimulateDoseDialog(read_image(small_dicom), last=last)
    qtbot.addWidget(dialog)
    assert dialog.settings().dose == dose
    dialog.dose.setValue(12.5)  # another dose typed
    assert dialog.settings().dose == 0.125
