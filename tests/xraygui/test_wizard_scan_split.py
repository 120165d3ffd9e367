"""The Data page counts and splits the images as training does (one core rule)."""

import numpy as np
import pytest
from PIL import Image

from core.diffusion.unet import UNetConfig
from core.noise import phantom_image
from core.training.config import TrainConfig
from core.training.loop import _prepare_data
from xraygui.wizard.data_page import DataPage
from xraygui.wizard.scan import scan_folder

pytestmark = pytest.mark.gui

TOO_SMALL = "too small: 16 px across, under a 96 px patch even magnified 4x"


def _png(path, side, seed):
    stored = phantom_image((side, side), bits_stored=8, photons_per_pixel=3000.0, seed=seed)
    Image.fromarray(stored.astype(np.uint8)).save(path)


@pytest.fixture
def folder(tmp_path):
    """Patient p3 with four 128 px images, seven more of one each, three of a 16 px one."""
    root = tmp_path / "d3"
    root.mkdir()
    rows = []
    for i in range(4):
        _png(root / f"p3_{i}.png", 128, i)
        rows.append(f"p3,p3_{i}")
    for i in range(7):
        _png(root / f"t{i}.png", 128, 10 + i)
    for i in range(3):
        _png(root / f"s{i}.png", 16, 20 + i)
        rows.append(f"q{i},s{i}")
    (root / "data.csv").write_text("patient_id,image_id\n" + "\n".join(rows) + "\n")
    return root


def _training(folder, tmp_path, **settings):
    config = TrainConfig(
        data=folder,
        output=tmp_path / "run" / "m.safetensors",
        architecture=UNetConfig.tiny(),
        **settings,
    )
    return _prepare_data(config)


def test_the_scan_counts_splits_and_holds_out_what_training_does(folder, tmp_path, drain):
    report = drain(scan_folder(folder))
    training = _training(folder, tmp_path, patch_size=96)
    card = training.card
    assert report.n_usable == card["n_images"] == 11
    assert (report.train_images, report.val_images) == (
        card["n_train_images"],
        card["n_val_images"],
    )
    assert report.train_patients + report.val_patients == card["n_patients"] == 8
    scanned_out = {r.patient_id for r in report.selection.val}
    assert scanned_out == {r.patient_id for r in training.selection.val}
    assert sorted((p.name, why) for p, why in report.unusable) == [
        (f"s{i}.png", TOO_SMALL) for i in range(3)
    ]
    assert [p.name for p, _ in report.usable_thumbnails()] == sorted(
        [f"p3_{i}.png" for i in range(4)] + [f"t{i}.png" for i in range(7)]
    )


def test_every_frame_is_a_usable_image(tmp_path, three_frame_dicom, drain):
    _png(three_frame_dicom.parent / "other.png", 64, 1)
    report = drain(scan_folder(three_frame_dicom.parent))
    assert (report.n_usable, report.n_usable_files) == (4, 2)
    assert report.n_usable == report.train_images + report.val_images
    assert dict(report.formats) == {"DICOM": 3, "PNG": 1}


def test_the_data_page_follows_the_training_pages_patch_and_binning(folder, qtbot):
    page = DataPage([])
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.scanned, timeout=20_000):
        page.set_folder(folder)
    assert page.report.n_usable == 11 and page.unusable.count() == 3
    assert "<b>11 usable images</b> from 11 files" in page.summary.text()
    page.set_training_size(96, 8)  # 128 px binned 8 x 8: 16 px, too small
    assert page.report.n_usable == 0 and page.unusable.count() == 14
    assert page.thumbnails.count() == 0
    assert page.isComplete()  # images are readable: the Training page blocks the patch size
    assert "binned 8 x 8" in page.unusable.item(13).text()
    page.set_training_size(32, 1)  # 16 px magnified 4x holds a 32 px patch
    assert page.report.n_usable == 14 and page.unusable.count() == 0 and page.isComplete()
    assert "<b>14 usable images</b>" in page.summary.text()


def test_binning_that_leaves_no_patch_is_named(folder, tmp_path):
    with pytest.raises(ValueError, match=r"once binned 8 x 8; use a smaller --binning$"):
        _training(folder, tmp_path, patch_size=96, binning=8)
    with pytest.raises(ValueError, match=r"holds a 1024 px patch; use a smaller --patch-size$"):
        _training(folder, tmp_path, patch_size=1024, binning=8)


def test_the_wizard_passes_the_training_pages_settings_to_the_data_page(folder, qtbot, tmp_path):
    from xraygui.wizard.wizard import TrainWizard

    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    with qtbot.waitSignal(wizard.data_page.scanned, timeout=20_000):
        wizard.data_page.set_folder(folder)
    wizard.training_page.patch.setValue(256)
    wizard.training_page.binning.setValue(1)
    assert wizard.data_page.report.n_usable == 11
    wizard.training_page.binning.setValue(4)  # 128 px binned 4 x 4, magnified 4x: < 256 px
    assert wizard.data_page.report.n_usable == 0 and not wizard.training_page.isComplete()


def test_the_scan_joins_copies_of_one_image_as_training_does(tmp_path, drain):
    root = tmp_path / "copies"
    root.mkdir()
    for i in range(8):
        _png(root / f"t{i}.png", 128, 30 + i)
    _png(root / "copy.png", 128, 30)  # t0's pixels under another patient
    rows = [f"p{i},t{i}" for i in range(8)] + ["p8,copy"]
    (root / "data.csv").write_text("patient_id,image_id\n" + "\n".join(rows) + "\n")
    report = drain(scan_folder(root))
    patients = {image.record.path.name: image.record.patient_id for image in report.readable}
    assert patients["copy.png"] == patients["t0.png"]
    assert any("identical pixels" in note for note in report.split_notes)
    card = _training(root, tmp_path, patch_size=96).card
    assert report.train_patients + report.val_patients == card["n_patients"] == 8
    assert (report.train_images, report.val_images) == (
        card["n_train_images"],
        card["n_val_images"],
    )
