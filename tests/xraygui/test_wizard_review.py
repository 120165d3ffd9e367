"""The wizard and the window, as a review of training found them wanting."""

import json

import numpy as np
import pytest
from PIL import Image

from core.io import write_new_dicom
from core.noise import phantom_image
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.runs import RunSpec
from xraygui.wizard.scan import scan_folder, split_source
from xraygui.wizard.training_page import PATCH_MULTIPLE, TrainingPage

pytestmark = pytest.mark.gui


def test_the_split_names_each_source_once_with_its_images(tmp_path, drain):
    for i in range(2):
        stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=3000.0, seed=i)
        write_new_dicom(stored, tmp_path / f"p{i}.dcm", bits_stored=12, patient_id=f"P{i}")
    for i in range(3):
        stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=5 + i)
        Image.fromarray(stored.astype(np.uint8)).save(tmp_path / f"im{i}.png")
    (tmp_path / "data.csv").write_text("patient_id,image_id\nA,im0\nB,im1\n")
    report = drain(scan_folder(tmp_path))
    assert report.split_kind == (
        "by DICOM PatientID (2 images), file (no patient known) (1 image), "
        "patient in data.csv (2 images)"
    )
    assert split_source("dicom-study:1.2.3") == "DICOM study"


def test_one_patient_says_nothing_is_held_out(window, qtbot, tmp_path):
    for i in range(2):
        stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=3000.0, seed=i)
        write_new_dicom(stored, tmp_path / f"p{i}.dcm", bits_stored=12, patient_id="ONLY")
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    with qtbot.waitSignal(wizard.data_page.scanned, timeout=20_000):
        wizard.data_page.set_folder(tmp_path)
    assert "Nothing is held out" in wizard.data_page.summary.text()
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    run = tmp_path / "run"
    run.mkdir()
    spec = RunSpec(data=tmp_path, folder=run, steps=1, minutes=None, batch_size=2, patch_size=16)
    (run / "model.metrics.jsonl").write_text(json.dumps({"step": 1, "loss": 0.5}) + "\n")
    page.show_run(spec)
    assert "no patient was held out" in page.message.text()


def test_a_typed_patch_size_snaps_to_one_the_network_takes(qtbot):
    page = TrainingPage(None)
    qtbot.addWidget(page)
    page.patch.setValue(100)
    page.patch.editingFinished.emit()
    assert page.patch.value() == 96 and 96 % PATCH_MULTIPLE == 0


def test_closing_the_window_closes_a_wizard_and_quits(window, qtbot):
    wizard = window.open_train_wizard()
    closed = []
    wizard.finished.connect(closed.append)
    window.close()
    assert closed and not wizard.isVisible()


def test_about_keeps_the_attribution_of_a_fine_tunes_base(tmp_path):
    from xraygui.about import about_text

    base = {"name": "xray-train", "license": "CC BY 3.0", "attribution": "Hannover Medical School"}
    card = {
        "weights_sha256": "ab" * 32,
        "data": {"name": "my-detector", "n_images": 11, "n_patients": 8},
        "training": {"started_from": {"data": base, "training": {"started_from": {"data": base}}}},
    }
    model = tmp_path / "m.safetensors"
    model.with_suffix(".json").write_text(json.dumps(card))
    text = about_text(model)
    assert "Trained on: my-detector, 11 images of 8 patients" in text
    assert text.count("Fine-tuned from a model trained on: xray-train") == 1
    assert "Attribution: Hannover Medical School" in text
    card["data"] |= {"n_train_images": 9, "n_val_images": 2, "n_val_patients": 1}
    model.with_suffix(".json").write_text(json.dumps(card))
    assert "9 images of 7 patients (2 images of 1 other patients held out" in about_text(model)


def test_the_split_counts_every_frame_as_training_does(tmp_path, three_frame_dicom, drain):
    stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=1)
    Image.fromarray(stored.astype(np.uint8)).save(tmp_path / "in" / "other.png")
    report = drain(scan_folder(tmp_path / "in"))
    assert report.train_images + report.val_images == 4  # 3 frames and a PNG
    assert "DICOM PatientID (3 images)" in report.split_kind


def test_a_data_csv_training_cannot_use_is_named_on_the_data_page(window, qtbot, tmp_path):
    for i in range(2):
        stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        Image.fromarray(stored.astype(np.uint8)).save(tmp_path / f"im{i}.png")
    (tmp_path / "data.csv").write_text("patient,image\nA,im0\n")  # not the columns it needs
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    wizard.data_page.set_folder(tmp_path)
    qtbot.waitUntil(lambda: wizard.data_page.worker is None, timeout=20_000)
    # Training refuses such a table, so the page blocks, naming it (as training would).
    assert "data.csv: no patient_id and image_id columns" in wizard.data_page.summary.text()
    assert not wizard.data_page.isComplete()
