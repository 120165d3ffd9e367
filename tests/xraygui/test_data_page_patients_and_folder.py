"""The Data page: an unusable data.csv blocks, images without a patient are noted, a
typed relative folder is made absolute, and images too small for the default patch do
not make the page a dead end."""

import numpy as np
import pytest
from PIL import Image

from core.io import write_new_dicom
from core.noise import phantom_image

pytestmark = pytest.mark.gui


def _pngs(folder, n, size=64):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        stored = phantom_image((size, size), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        Image.fromarray(stored.astype(np.uint8)).save(folder / f"im{i}.png")


def _scan(qtbot, wizard, folder):
    page = wizard.data_page
    worker = page.set_folder(folder)
    qtbot.waitUntil(lambda: page.worker is None, timeout=20_000)
    assert worker is not None
    return page


def test_an_unusable_data_csv_blocks_the_page_naming_it(window, qtbot, tmp_path):
    _pngs(tmp_path, 2)
    (tmp_path / "data.csv").write_text("patient,image\nA,im0\n")  # not the columns it needs
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    page = _scan(qtbot, wizard, tmp_path)
    text = page.summary.text()
    assert "Training cannot use this folder" in text
    assert f"{tmp_path / 'data.csv'}: no patient_id and image_id columns" in text
    assert not page.isComplete()


def test_images_without_a_patient_are_noted(window, qtbot, tmp_path):
    _pngs(tmp_path, 3)
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    page = _scan(qtbot, wizard, tmp_path)
    assert "<b>Note:</b> 3 image files have no patient" in page.summary.text()
    assert page.isComplete()


def test_a_shared_anonymised_patient_id_is_named(window, qtbot, tmp_path):
    for i in range(2):
        stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=3000.0, seed=i)
        write_new_dicom(stored, tmp_path / f"p{i}.dcm", bits_stored=12, patient_id="ANONYMOUS")
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    text = _scan(qtbot, wizard, tmp_path).summary.text()
    assert "<b>Nothing is held out</b>" in text
    assert "every image has DICOM PatientID 'ANONYMOUS'" in text and "data.csv" in text


def test_a_typed_relative_folder_is_shown_and_trained_as_absolute(
    window, qtbot, tmp_path, monkeypatch
):
    _pngs(tmp_path / "data", 2)
    monkeypatch.chdir(tmp_path)
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    page = _scan(qtbot, wizard, "data")
    assert page.folder.text() == str(tmp_path / "data")
    assert wizard.spec(tmp_path / "run").data == tmp_path / "data"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert page.set_folder("~/data/../data") is None  # the folder scanned: not again
    assert page.folder.text() == str(tmp_path / "data")


def test_images_too_small_for_the_default_patch_leave_the_page_open(window, qtbot, tmp_path):
    _pngs(tmp_path, 4, size=20)  # 20 px x 4 = 80 px, under the default 96 px patch
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    page = _scan(qtbot, wizard, tmp_path)
    text = page.summary.text()
    assert "Split by :" not in text and "0 images of 0 patients" not in text
    assert "No image holds a 96 px patch" in text and "Training page" in text
    assert page.isComplete()
    training = wizard.training_page
    training.show_selection(page.report)
    assert not training.isComplete()  # the Training page blocks the default patch
    training.patch.setValue(32)
    qtbot.waitUntil(lambda: page.report.n_usable == 4, timeout=5_000)
    assert training.isComplete()
