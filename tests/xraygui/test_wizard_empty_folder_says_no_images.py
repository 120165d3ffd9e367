"""A folder without images says so, and one whose images cannot be read says that,
instead of asking for a smaller patch size."""

import pytest

from xraygui.wizard.data_page import DataPage

pytestmark = pytest.mark.gui


def _summary(qtbot, folder):
    page = DataPage([])
    qtbot.addWidget(page)
    page.set_folder(folder)
    qtbot.waitUntil(lambda: page.worker is None, timeout=20_000)
    return page, page.summary.text()


def test_an_empty_folder_says_no_images_were_found(qtbot, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "notes.txt").write_text("not an image")
    page, text = _summary(qtbot, tmp_path)
    assert "No images found in this folder" in text and "searched recursively" in text
    assert "patch" not in text and "0 usable" not in text
    assert not page.isComplete()


def test_images_that_cannot_be_read_are_said_so(qtbot, tmp_path):
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes(b"not a png")
    page, text = _summary(qtbot, tmp_path)
    assert "None of the 2 image files could be read" in text and "patch" not in text
    assert page.unusable.count() == 2 and not page.isComplete()
