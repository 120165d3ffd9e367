"""The dose dialog takes the span the simulator takes, and warns of a range set by a few pixels."""

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image
from core.noise.dose import MAX_ATTENUATION
from xraygui.dialogs import SimulateDoseDialog

pytestmark = pytest.mark.gui


def _float_image(pixels: np.ndarray) -> XrayImage:
    return XrayImage(
        pixels=pixels.astype(np.float32),
        mapping=StoredMapping(bits_stored=32, is_float=True),
        window=Window(0.5, 1.0),
        photometric="MONOCHROME2",
    )


@pytest.fixture(scope="module")
def anatomy():
    """A float phantom on [0, 0.7], as a float TIFF holds one."""
    pixels = phantom_image((256, 256), photons_per_pixel=20000.0, seed=2).astype(np.float64)
    return 0.7 * (pixels - pixels.min()) / (pixels.max() - pixels.min())


def test_the_largest_span_the_dialog_takes_is_one_the_simulator_takes(qtbot, anatomy):
    dialog = SimulateDoseDialog(_float_image(anatomy))
    qtbot.addWidget(dialog)
    assert dialog.attenuation.maximum() == MAX_ATTENUATION
    dialog.measure.setChecked(False)
    dialog.attenuation.setValue(dialog.attenuation.maximum())
    assert dialog.settings().max_attenuation == MAX_ATTENUATION


def test_a_range_one_pixel_sets_is_warned_of(qtbot, anatomy):
    calm = SimulateDoseDialog(_float_image(anatomy))
    qtbot.addWidget(calm)
    assert calm.range_warning.isHidden()
    hot = anatomy.copy()
    hot[10, 10] = 5.0  # one pixel sets the range, and with it the attenuation scale
    dialog = SimulateDoseDialog(_float_image(hot))
    qtbot.addWidget(dialog)
    assert not dialog.range_warning.isHidden()
    text = dialog.range_warning.text()
    assert text.startswith("Check the range: its range of values") and "rests on 1 of" in text
