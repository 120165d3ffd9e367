"""data.csv gaps and conflicts are warned of; patients that share an image stay together."""

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from core.training.data import assign_patients, find_images
from core.training.loop import _prepare_data


@pytest.fixture
def folder(tmp_path):
    """Six 40 px PNGs, a.png to f.png."""
    rng = np.random.default_rng(0)
    for name in "abcdef":
        pixels = (rng.random((40, 40)) * 255).astype(np.uint8)
        Image.fromarray(pixels).save(tmp_path / f"{name}.png")
    return tmp_path


def _patients(folder):
    return {r.path.stem: r.patient_id for r in assign_patients(folder, find_images(folder))}


def test_images_missing_from_the_table_are_counted_with_an_example(folder, caplog):
    (folder / "data.csv").write_text("patient_id,image_id\nA,a\nA,b\nB,c\nC,d\n")
    with caplog.at_level("WARNING"):
        patients = _patients(folder)
    assert patients["e"] == "file:e.png" and patients["f"] == "file:f.png"
    (message,) = caplog.messages
    assert message == (
        f"{folder}: 2 of the 6 images are in no data.csv (such as e.png); each joins the "
        "patient of a listed image with its DICOM PatientID, else is split by DICOM patient, "
        "else is a patient of its own"
    )


def test_patients_that_share_an_image_are_taken_as_one(folder, caplog):
    table = "patient_id,image_id\nA,a\nB,A\nB,b\nC,c\nC,d.png\nD,D.PNG\nE,e\nF,f\n"
    (folder / "data.csv").write_text(table)
    with caplog.at_level("WARNING"):
        patients = _patients(folder)
    # a is listed under A and B, d under C and D: {A, B} and {C, D} are one patient each.
    assert patients == {"a": "A", "b": "A", "c": "C", "d": "C", "e": "E", "f": "F"}
    (message,) = caplog.messages
    assert message.startswith(
        f"{folder / 'data.csv'}: 2 of its image_id values are listed under two or more "
        "patients (such as a, under A and B); the patients that share an image are taken as one"
    )


def test_a_chain_of_shared_images_makes_one_patient(folder):
    (folder / "data.csv").write_text("patient_id,image_id\nA,a\nB,a\nB,b\nC,b\nC,c\nD,d\n")
    assert _patients(folder) == {
        "a": "A",
        "b": "A",
        "c": "A",
        "d": "D",
        "e": "file:e.png",
        "f": "file:f.png",
    }


def test_the_card_counts_the_images_split_by_each_source(folder, tiny_config):
    (folder / "data.csv").write_text("patient_id,image_id\nA,a\nA,b\nB,c\nC,d\n")
    card = _prepare_data(replace(tiny_config, data=folder)).card
    assert card["split_sources"] == {"file (no patient known)": 2, "patient in data.csv": 4}
