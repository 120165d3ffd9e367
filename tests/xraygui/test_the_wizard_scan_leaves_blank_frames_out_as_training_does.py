"""The wizard's scan leaves blank frames (one value throughout) out, as training does.

One core test (:func:`core.training.data.is_blank`) decides for both, so the Data page's
counts, split and held-out patients are training's, and an all-blank folder stops there.
"""

import numpy as np
import pytest
from PIL import Image

from core.diffusion.unet import UNetConfig
from core.noise import phantom_image
from core.training.config import TrainConfig
from core.training.data import BLANK_REASON
from core.training.loop import _prepare_data
from xraygui.wizard.data_page import DataPage
from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui


def _png(path, seed):
    stored = phantom_image((128, 128), bits_stored=8, photons_per_pixel=3000.0, seed=seed)
    Image.fromarray(stored.astype(np.uint8)).save(path)


def _blank(path, value=40):
    Image.fromarray(np.full((128, 128), value, np.uint8)).save(path)


def test_the_split_and_held_out_images_are_trainings_with_a_blank_frame(tmp_path, drain):
    folder = tmp_path / "data"
    folder.mkdir()
    for i in range(5):
        _png(folder / f"img{i}.png", i)
    _blank(folder / "a_blank.png")
    report = drain(scan_folder(folder))
    config = TrainConfig(
        data=folder, output=tmp_path / "run" / "m.safetensors", architecture=UNetConfig.tiny()
    )
    training = _prepare_data(config)
    assert report.n_usable == training.card["n_images"] == 5
    assert report.selection.train == training.selection.train
    assert report.selection.val == training.selection.val
    assert (report.train_images, report.val_images) == (
        training.card["n_train_images"],
        training.card["n_val_images"],
    )
    assert [(p.name, why) for p, why in report.unusable] == [("a_blank.png", BLANK_REASON)]
    assert "a_blank.png" not in [p.name for p, _ in report.usable_thumbnails()]


def test_an_all_blank_folder_has_no_usable_image_and_next_stays_off(qtbot, tmp_path):
    for i in range(3):
        _blank(tmp_path / f"flat{i}.png", 10 * i)
    page = DataPage([])
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.scanned, timeout=20_000):
        page.set_folder(tmp_path)
    assert not page.isComplete()
    assert "<b>No usable image:</b>" in page.summary.text()
    assert page.unusable.count() == 3
    assert all(BLANK_REASON in page.unusable.item(i).text() for i in range(3))
