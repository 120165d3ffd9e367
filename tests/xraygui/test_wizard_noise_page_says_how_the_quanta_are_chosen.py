"""The Noise page says the quanta are measured from each held-out image, and shows its own.

It also says when nothing will be validated: a folder that holds no patient out.
"""

import re

import pytest
from PIL import Image

from core.noise import phantom_image
from xraygui.wizard.noise_page import HONEST_NOTE, NoisePage

pytestmark = pytest.mark.gui


def test_the_note_says_the_quanta_are_measured_from_each_image():
    assert "measured from each held-out image's own noise where its noise allows" in HONEST_NOTE


def test_the_preview_shows_the_quanta_measured_on_its_image(qtbot, tmp_path):
    large, small = tmp_path / "large.png", tmp_path / "small.png"
    Image.fromarray(phantom_image((400, 400), photons_per_pixel=2_500.0, seed=1)).save(large)
    Image.fromarray(phantom_image((64, 64), photons_per_pixel=2_500.0, seed=1)).save(small)
    page = NoisePage()
    qtbot.addWidget(page)
    page.set_image(large)
    found = re.search(r"quanta measured from its noise: ([\d,]+) per", page.caption.text())
    assert found, page.caption.text()
    assert 2_000 < int(found.group(1).replace(",", "")) < 3_000
    page.set_image(small)
    assert "cannot be measured" in page.caption.text()
    assert "50,000 per unattenuated pixel" in page.caption.text()


def test_the_page_says_when_no_patient_is_held_out(qtbot):
    page = NoisePage()
    qtbot.addWidget(page)
    page.set_held_out(0)
    assert not page.held_out.isHidden() and "nothing" in page.held_out.text()
    page.set_held_out(2)
    assert page.held_out.isHidden()


def test_a_long_reason_wraps_rather_than_widening_the_wizard(qtbot, tmp_path):
    small = tmp_path / "small.png"
    Image.fromarray(phantom_image((64, 64), photons_per_pixel=2_500.0, seed=1)).save(small)
    page = NoisePage()
    qtbot.addWidget(page)
    page.set_image(small)
    assert len(page.caption.text()) > 150 and page.caption.wordWrap()
    assert page.minimumSizeHint().width() < 900  # was the caption's one long line
