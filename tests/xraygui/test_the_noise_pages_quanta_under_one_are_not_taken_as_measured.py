"""Full-dose quanta typed under 1 are refused as too few, not rounded to 0, "measured"."""

import numpy as np
from PIL import Image

from core.noise import phantom_image
from xraygui.wizard.noise_page import NoisePage


def test_quanta_under_one_are_too_few_not_measured(qtbot, tmp_path):
    path = tmp_path / "img.png"
    pixels = phantom_image((128, 128), bits_stored=8, photons_per_pixel=2000.0, seed=1)
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    page = NoisePage()
    qtbot.addWidget(page)
    page.set_image(path)
    edit = page.quanta.lineEdit()
    edit.selectAll()
    qtbot.keyClicks(edit, "0.4")
    assert page.val_photons() == 0.4
    assert not page.isComplete()  # 0.4 x the lowest dose is under one quantum a pixel
