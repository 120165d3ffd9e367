"""A resume says where the patients now group the images otherwise; one shared DICOM
PatientID is named (in the log, never the card); an unusable data.csv refuses a run."""

import logging
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from core.diffusion.model import load_model
from core.io import write_new_dicom
from core.training.checkpoint import read_checkpoint
from core.training.loop import train
from core.training.patient_table import PatientTableError


def _selection_warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "core.training.selection"]


@pytest.fixture
def files(tmp_path, tiny_config):
    """Four 40 px PNGs without a table, and a run config on them."""
    folder = tmp_path / "data"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        pixels = (rng.random((40, 40)) * 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"img{i}.png")
    return replace(tiny_config, data=folder, val_fraction=0.25)


def test_a_resume_warns_when_the_table_now_groups_the_images_otherwise(files, caplog):
    train(files, callback=lambda state: state.step == 2)
    stored = read_checkpoint(files.checkpoint_path).extra["split"]
    (files.data / "data.csv").write_text("patient_id,image_id\nA,img0\nA,img1\nB,img2\nB,img3\n")
    with caplog.at_level(logging.WARNING, logger="core.training.selection"):
        train(replace(files, resume=True))
    assert read_checkpoint(files.checkpoint_path).extra["split"] == stored  # kept
    (line,) = _selection_warnings(caplog)
    assert line.startswith("the patients data.csv and DICOM give now differ from the stored ")
    assert "for 4 images (such as img0.png: stored as patient file:img0.png, now A)" in line


def test_a_resume_with_the_same_grouping_says_nothing(files, caplog):
    (files.data / "data.csv").write_text("patient_id,image_id\nA,img0\nA,img1\nB,img2\nB,img3\n")
    train(files, callback=lambda state: state.step == 2)
    (files.data / "data.csv").write_text("patient_id,image_id\nZ,img0\nZ,img1\nB,img2\nB,img3\n")
    with caplog.at_level(logging.WARNING, logger="core.training.selection"):
        train(replace(files, resume=True))
    assert _selection_warnings(caplog) == []


def test_one_shared_dicom_patient_id_is_named_in_the_log_only(tmp_path, tiny_config, caplog):
    folder = tmp_path / "anon"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for i in range(3):
        pixels = (rng.random((40, 40)) * 4000).astype(np.uint16)
        write_new_dicom(pixels, folder / f"a{i}.dcm", patient_id="ANONYMOUS")
    config = replace(tiny_config, data=folder, steps=1)
    with caplog.at_level(logging.WARNING, logger="core.training.loop"):
        train(config)
    (line,) = [m for m in caplog.messages if "nothing held out" in m]
    assert "every image has DICOM PatientID 'ANONYMOUS'" in line
    assert "a data.csv with patient_id and image_id columns tells them apart" in line
    card = load_model(config.output).card
    assert "ANONYMOUS" not in str(card.validation)


def test_an_unusable_table_refuses_the_run_unless_ignored(files):
    (files.data / "data.csv").write_text("patient;image\nA;img0\n")
    with pytest.raises(PatientTableError, match="no patient_id and image_id columns"):
        train(files)
    assert not files.output.exists()
    train(replace(files, ignore_patient_table=True, steps=1))
    assert files.output.exists()
