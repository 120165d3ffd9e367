"""The Training page lets Next through only settings that can run, and says what they use."""

import numpy as np
import pytest
from PIL import Image

from core.device import DEVICE_CHOICES, select_device
from core.noise import phantom_image
from xraygui.wizard.wizard import TRAINING, TrainWizard

pytestmark = pytest.mark.gui


def _unavailable_device():
    for device in DEVICE_CHOICES:
        try:
            select_device(device)
        except (RuntimeError, ValueError):
            return device
    return None


@pytest.fixture
def wizard(qtbot, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for i in range(4):
        stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        Image.fromarray(stored.astype(np.uint8)).save(data / f"im{i}.png")
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.show()
    with qtbot.waitSignal(wizard.data_page.scanned, timeout=20_000):
        wizard.data_page.set_folder(data)
    wizard.next()
    wizard.next()
    assert wizard.currentId() == TRAINING
    wizard.training_page.device.setCurrentText("cpu")
    return wizard


def test_no_usable_image_keeps_next_on_the_training_page(wizard):
    page = wizard.training_page
    page.patch.setValue(16)
    page.binning.setValue(1)
    assert page.isComplete()
    assert page.selection.text() == (
        "4 usable images for 16 px patches: 3 for training, 1 held out (1 patient/study)."
    )
    page.patch.setValue(512)
    page.binning.setValue(4)
    assert not page.isComplete()
    assert page.selection.text().startswith("<b>No image holds a 512 px patch binned 4 x 4:")
    wizard.next()
    assert wizard.currentId() == TRAINING and not (wizard.runs).exists()


def test_an_unavailable_device_keeps_next_on_the_training_page(wizard):
    device = _unavailable_device()
    if device is None:
        pytest.skip("every device is available here")
    page = wizard.training_page
    page.patch.setValue(16)
    page.device.setCurrentText(device)
    assert not page.isComplete() and "Device unavailable" in page.memory.text()
    wizard.next()
    assert wizard.currentId() == TRAINING
    page.device.setCurrentText("cpu")
    assert page.isComplete()
