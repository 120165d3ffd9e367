"""The patient tables' warnings count and name only images that can be read: a file that
training skips as unreadable is not an image in no data.csv, nor one without a patient."""

import logging

import numpy as np
from PIL import Image

from core.io import write_new_dicom
from core.training.data import assign_patients, find_images

BROKEN_PNG = b"\x89PNG\r\n\x1a\nthis is not a png"
GARBAGE_DICOM = b"\0" * 128 + b"DICM" + b"garbage"


def _png(path):
    Image.fromarray(np.full((8, 8), 1000, np.uint16)).save(path)


def test_an_unreadable_png_is_not_counted_among_the_images_in_no_table(tmp_path, caplog):
    for name in ("a.png", "b.png", "tiny.png"):
        _png(tmp_path / name)
    (tmp_path / "broken.png").write_bytes(BROKEN_PNG)
    (tmp_path / "data.csv").write_text("patient_id,image_id\np1,a\np2,b\n")
    with caplog.at_level(logging.WARNING, logger="core.training.patient_table"):
        records = assign_patients(tmp_path, find_images(tmp_path))
    assert "1 of the 3 images are in no data.csv (such as tiny.png)" in caplog.text
    assert "broken.png" not in caplog.text
    assert len(records) == 4  # still passed on: load_images skips it, saying why


def test_an_unreadable_dicom_is_not_counted_among_the_images_without_patient(tmp_path, caplog):
    for k in range(2):
        write_new_dicom(
            np.full((8, 8), 100 * k, np.uint16),
            tmp_path / f"IM{k}.dcm",
            bits_stored=12,
            patient_id=f"PAT{k}",
        )
    (tmp_path / "IM9999.dcm").write_bytes(GARBAGE_DICOM)
    with caplog.at_level(logging.WARNING, logger="core.training.patient_table"):
        records = assign_patients(tmp_path, find_images(tmp_path))
    assert "have no patient" not in caplog.text
    assert [r.patient_id for r in records[:2]] == ["dicom-patient:PAT0", "dicom-patient:PAT1"]
    _png(tmp_path / "x.png")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="core.training.patient_table"):
        assign_patients(tmp_path, find_images(tmp_path))
    assert "1 image file has no patient (no data.csv, no DICOM PatientID), x.png: it is" in (
        caplog.text
    )
