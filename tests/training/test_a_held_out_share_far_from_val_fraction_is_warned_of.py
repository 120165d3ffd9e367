"""An anonymiser's PatientID shared by most images: the log counts images and patients
apart, and warns when the held-out share of the images is far from ``val_fraction``."""

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from core.io import write_new_dicom
from core.noise import phantom_image
from core.training.loop import _prepare_data


@pytest.fixture(scope="module")
def anonymised(tmp_path_factory) -> Path:
    """Six images under PatientID ANON, and three patients of one image each."""
    root = tmp_path_factory.mktemp("anon")
    ids = ["ANON"] * 6 + ["R1", "R2", "R3"]
    for i, patient_id in enumerate(ids):
        stored = phantom_image((24, 24), bits_stored=12, photons_per_pixel=2000.0, seed=i)
        write_new_dicom(stored, root / f"im{i}.dcm", bits_stored=12, patient_id=patient_id)
    return root


def _run(config, caplog) -> tuple[str, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="core.training.loop"):
        _prepare_data(config)
    (line,) = [m for m in caplog.messages if m.startswith("data ")]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    return line, [m for m in warned if "val-fraction" in m]


def test_the_log_counts_images_and_patients_and_warns_of_an_uneven_split(
    anonymised, tiny_config, caplog
):
    seen = set()
    for seed in range(12):
        config = replace(tiny_config, data=anonymised, val_fraction=0.1, split_seed=seed)
        line, warnings = _run(config, caplog)
        assert "9 images from 9 files (each frame an image) of 4 patients; " in line
        if "validating on 6 images of 1 patient;" in line:  # ANON held out
            assert "training on 3 images of 3 patients, " in line
            (warning,) = warnings
            assert warning.startswith(
                "validating on 6 of the 9 images (67 %), far more than --val-fraction 0.1 "
                "asks: the 1 patient held out has 6 images, the 3 that train 3; "
            )
            assert "a data.csv with patient_id and image_id" in warning
            assert "ANON" not in warning  # names no patient
            seen.add("anon")
        else:
            assert "training on 8 images of 3 patients, validating on 1 image of 1 patient;" in line
            assert warnings == []
            seen.add("other")
    assert seen == {"anon", "other"}


def test_few_patients_of_as_many_images_each_are_not_warned_of(tiny_config, tmp_path, caplog):
    for i in range(4):  # one image each: a patient held out is a quarter of both
        stored = phantom_image((24, 24), bits_stored=12, photons_per_pixel=2000.0, seed=i)
        write_new_dicom(stored, tmp_path / f"im{i}.dcm", bits_stored=12, patient_id=f"P{i}")
    config = replace(tiny_config, data=tmp_path, val_fraction=0.1)
    line, warnings = _run(config, caplog)
    assert "training on 3 images of 3 patients, validating on 1 image of 1 patient;" in line
    assert warnings == []
