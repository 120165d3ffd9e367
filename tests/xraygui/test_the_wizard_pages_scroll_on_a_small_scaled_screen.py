"""The Train wizard's pages scroll rather than squeeze their fields on a small screen.

At 1280 x 720 with 150 % scaling (853 x 480 logical) the wizard was 820 x 440 and its
pages were laid out in that: the Noise page's number fields were squashed and its note
cut, the Training page's fields too. Its size now follows its size hint, on the screen.
"""

import pytest
from PIL import Image
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QAbstractSpinBox, QLabel

from core.noise import phantom_image
from xraygui.wizard import wizard as wizard_module
from xraygui.wizard.wizard import NOISE, TRAINING, TrainWizard

pytestmark = pytest.mark.gui

SMALL_WIZARD = (820, 440)
"""The wizard's size on a screen of 853 x 480 logical pixels."""


def _squeezed(page) -> list[str]:
    """Name the fields shorter than they need and the wrapped labels shorter than their text."""
    found = []
    for field in page.findChildren(QAbstractSpinBox):
        if field.isVisible() and field.height() < field.minimumSizeHint().height():
            found.append(f"{field.text()}: {field.height()} px")
    for label in page.findChildren(QLabel):
        if label.isVisible() and label.wordWrap():
            if label.height() < label.heightForWidth(label.width()):
                found.append(f"{label.text()[:40]}: {label.height()} px")
    return found


@pytest.mark.parametrize("page_id", [NOISE, TRAINING])
def test_a_short_wizard_squeezes_no_field_of_its_pages(qtbot, tmp_path, page_id):
    image = tmp_path / "chest.png"
    Image.fromarray(phantom_image((256, 256), photons_per_pixel=2_500.0, seed=1)).save(image)
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.noise_page.set_image(image)
    wizard.noise_page.set_held_out(0)  # one more paragraph
    wizard.setStartId(page_id)
    wizard.restart()
    wizard.resize(*SMALL_WIZARD)
    wizard.show()
    qtbot.waitExposed(wizard)
    qtbot.wait(50)
    assert (wizard.width(), wizard.height()) == SMALL_WIZARD  # no page makes it taller
    assert _squeezed(wizard.currentPage()) == []


def test_the_wizard_takes_its_size_hint_within_the_screen():
    fitted = wizard_module.fitted_size
    small = QRect(0, 0, 853, 480)
    assert fitted(QSize(600, 400), small) == QSize(820, 440)
    assert fitted(QSize(600, 400), QRect(0, 0, 1920, 1040)) == QSize(820, 640)
    assert fitted(QSize(1000, 760), QRect(0, 0, 1920, 1040)) == QSize(1000, 760)  # large font
    assert fitted(QSize(1000, 760), small) == QSize(833, 440)
