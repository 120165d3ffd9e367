"""The model card travels with the model: it holds counts, never patient ids or file names."""

import json
from dataclasses import replace

import numpy as np
from PIL import Image

from core.diffusion.model import card_path
from core.io import write_new_dicom
from core.noise import phantom_image
from core.training.checkpoint import read_checkpoint
from core.training.loop import _lineage, train
from core.training.selection import split_source


def _hospital_folder(root):
    """Four DICOMs with hospital record numbers, one unreadable and one tiny named file."""
    root.mkdir()
    for i in range(4):
        stored = phantom_image((48, 48), bits_stored=12, photons_per_pixel=3000.0, seed=i)
        write_new_dicom(
            stored, root / f"MRN00471{i}.dcm", bits_stored=12, patient_id=f"MRN00471{i}"
        )
    (root / "Smith^John_acc99.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    Image.fromarray(np.arange(4, dtype=np.uint8).reshape(2, 2)).save(root / "Doe_Jane.png")
    return root


def test_the_card_counts_patients_and_skipped_files_without_naming_them(tiny_config, tmp_path):
    config = replace(tiny_config, data=_hospital_folder(tmp_path / "ward"), steps=2)
    train(config)
    text = card_path(config.output).read_text("utf-8")
    for secret in ("MRN", "Smith", "Doe_Jane", "acc99", str(tmp_path)):
        assert secret not in text
    data = json.loads(text)["data"]
    assert data["n_val_patients"] == 1 and "val_patients" not in data
    assert data["skipped"] == {"unreadable": 1, "too_small": 1, "constant": 0, "not_images": 0}
    assert data["split_sources"] == {"DICOM PatientID": 4}
    # The identities stay local, in the checkpoint, for the resume.
    split = read_checkpoint(config.checkpoint_path).extra["split"]
    (held_out,) = {patient for _, _, patient in split["val"]}
    assert held_out.startswith("dicom-patient:MRN00471")
    assert split_source(held_out) == "DICOM PatientID"


def test_a_fine_tune_drops_an_older_cards_patient_ids_from_its_lineage():
    from core.diffusion.model import ModelCard

    shipped = json.loads(card_path("resources/models/xray-diffusion.safetensors").read_text())
    # An older card (as the one shipped before 2026-11-27) named its held-out patients.
    older = {**shipped, "data": {**shipped["data"], "val_patients": ["0a359802", "177330aa"]}}
    older["data"]["skipped"] = ["png/unreadable.png"]
    lineage = _lineage(ModelCard.from_json(older), "xray-diffusion")
    assert "val_patients" not in lineage["data"] and "skipped" not in lineage["data"]
    assert lineage["data"]["n_patients"] == shipped["data"]["n_patients"]
