"""Training's folder scan takes DICOM files named by their UID, and no other odd file."""

from pathlib import Path

import numpy as np
import pytest

from core.io import write_new_dicom
from core.noise import phantom_image
from core.training.data import assign_patients, find_images, load_images

UID_NAMES = [f"1.2.826.0.1.3680043.8.498.10{i}" for i in range(1, 4)]


@pytest.fixture
def uid_folder(tmp_path) -> Path:
    """Three UID-named DICOMs (one in a subfolder), one without a suffix, two non-images."""
    (tmp_path / "sub").mkdir()
    for i, name in enumerate(UID_NAMES, 1):
        stored = phantom_image((40, 40), bits_stored=12, photons_per_pixel=2000.0, seed=i)
        folder = tmp_path / "sub" if i == 3 else tmp_path
        write_new_dicom(stored, folder / name, bits_stored=12, patient_id=f"P{i}")
    (tmp_path / "IM0001").write_bytes((tmp_path / UID_NAMES[0]).read_bytes())
    (tmp_path / "notes.txt").write_text("acquired 2024\n")
    rng = np.random.default_rng(0)
    (tmp_path / "data.101").write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return tmp_path


def test_every_uid_named_dicom_is_found_and_loaded(uid_folder):
    paths = find_images(uid_folder)
    names = sorted(p.name for p in paths)
    assert names == sorted([*UID_NAMES, "IM0001"])
    images, skipped = load_images(assign_patients(uid_folder, paths))
    assert len(images) == 4 and skipped == []
    patients = {im.record.path.name: im.record.patient_id for im in images}
    assert patients[UID_NAMES[1]] == "dicom-patient:P2"


def test_files_that_are_not_taken_are_counted_in_a_warning(uid_folder, caplog):
    (uid_folder / "data.csv").write_text("patient_id,image_id\n")
    (uid_folder / ".DS_Store").write_bytes(b"\0" * 64)
    with caplog.at_level("WARNING"):
        find_images(uid_folder)
    (message,) = caplog.messages
    assert message == (
        f"{uid_folder}: 2 file(s) here are not taken as images (no image suffix, no DICOM "
        "preamble), such as data.101"
    )
