"""The warning of image files without a patient reads in the singular for one file: it read
"1 image files have no patient ..., such as x.png: each file is taken as its own patient"."""

import logging

import numpy as np
from PIL import Image

from core.training.data import assign_patients, find_images


def _warning(folder, caplog) -> str:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="core.training.patient_table"):
        assign_patients(folder, find_images(folder))
    (line,) = [r.getMessage() for r in caplog.records if "no patient" in r.getMessage()]
    return line


def test_one_file_is_one_file_and_two_are_files(tmp_path, caplog):
    Image.fromarray(np.full((8, 8), 1000, np.uint16)).save(tmp_path / "a.png")
    one = _warning(tmp_path, caplog)
    assert one.startswith("1 image file has no patient (no data.csv, no DICOM PatientID), a.png:")
    assert "it is taken as its own patient;" in one and "such as" not in one
    Image.fromarray(np.full((8, 8), 2000, np.uint16)).save(tmp_path / "b.png")
    two = _warning(tmp_path, caplog)
    assert two.startswith("2 image files have no patient (no data.csv, no DICOM PatientID), such")
    assert "such as a.png: each file is taken as its own patient;" in two
