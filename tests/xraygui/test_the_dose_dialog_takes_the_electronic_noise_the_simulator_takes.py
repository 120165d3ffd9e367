"""The dose dialog's largest electronic noise is the simulator's (core.noise.dose's limit)."""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image
from core.noise.dose import MAX_ELECTRONIC_NOISE
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui


def test_the_largest_the_dialog_takes_is_the_simulators(qtbot):
    pixels = phantom_image((128, 128), photons_per_pixel=20000.0, seed=1).astype(np.float32)
    image = XrayImage(
        pixels=pixels, mapping=StoredMapping(bits_stored=12), window=Window(2048, 4096)
    )
    dialog = SimulateDoseDialog(image)
    qtbot.addWidget(dialog)
    assert dialog.electronic.maximum() == MAX_ELECTRONIC_NOISE
    dialog.electronic.setValue(dialog.electronic.maximum())
    assert dialog.settings().electronic_noise == MAX_ELECTRONIC_NOISE
