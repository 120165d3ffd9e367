"""The Data page counts in words ("1 image", not "1 images") and captions each thumbnail
with its path from the chosen folder: files of different patients' folders share names
("img0.png" under pat0/ and pat1/), and a long path is elided in its middle.
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from core.noise import phantom_image
from xraygui.wizard.data_page import CAPTION_WIDTH, DataPage

pytestmark = pytest.mark.gui

DEEP = "Department_of_Radiology/Patient_0123456789/Study_2026_11_28/Series_3"


def _png(path, seed):
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = phantom_image((128, 128), bits_stored=8, photons_per_pixel=3000.0, seed=seed)
    Image.fromarray(stored.astype(np.uint8)).save(path)


def _scanned(qtbot, folder):
    page = DataPage([])
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.scanned, timeout=20_000):
        page.set_folder(folder)
    return page


def test_thumbnails_are_captioned_by_their_path_from_the_folder(qtbot, tmp_path):
    _png(tmp_path / "pat0" / "img0.png", 0)
    _png(tmp_path / "pat1" / "img0.png", 1)
    _png(tmp_path / DEEP / "img0.png", 2)
    page = _scanned(qtbot, tmp_path)
    items = [page.thumbnails.item(i) for i in range(page.thumbnails.count())]
    captions = sorted(item.text() for item in items)
    assert captions[1:] == [str(Path("pat0/img0.png")), str(Path("pat1/img0.png"))]
    deep = next(item for item in items if item.toolTip() == str(tmp_path / DEEP / "img0.png"))
    assert deep.text() == captions[0] and "…" in deep.text()
    assert deep.text().startswith("Dep") and deep.text().endswith("img0.png")
    metrics = page.thumbnails.fontMetrics()
    assert metrics.horizontalAdvance(deep.text()) <= CAPTION_WIDTH
    assert metrics.elidedText(DEEP, Qt.TextElideMode.ElideMiddle, CAPTION_WIDTH) != DEEP


def test_counts_of_one_are_singular(qtbot, tmp_path):
    for i in range(2):
        _png(tmp_path / f"pat{i}" / "img0.png", i)
    text = _scanned(qtbot, tmp_path).summary.text()
    assert "<b>2 usable images</b> from 2 files" in text
    assert "training 1 image of 1 patient/study, validation 1 image of 1 patient/study (" in text
    one = tmp_path / "one"
    _png(one / "img0.png", 0)
    text = _scanned(qtbot, one).summary.text()
    assert "<b>1 usable image</b> from 1 file " in text
    assert "validation 0 images of 0 patients/studies (whole" in text
