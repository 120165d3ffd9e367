"""Training's folder scan takes DICOM files named by their UID, and no other odd file."""

from pathlib import Path

import pytest

from core.training.data import assign_patients, find_images, load_images

UID_NAMES = [f"1.2.826.0.1.3680043.8.498.10{i}" for i in range(1, 4)]


@pytest.fixture
def uid_folder(tmp_path, uid_named_folder) -> Path:
    """Three UID-named DICOMs (one in a subfolder), one without a suffix, and two non-images."""
    return uid_named_folder(tmp_path, UID_NAMES, "IM0001")


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
    assert caplog.messages == [
        f"{uid_folder}: 2 file(s) here are not taken as images",
        f"skipping {uid_folder / 'data.101'}: no image suffix, and not DICOM (no preamble, no "
        "image attributes)",
        f"skipping {uid_folder / 'notes.txt'}: a .txt file, not an image (no image suffix, no "
        "DICOM preamble)",
    ]
