"""Files of one study, or one image re-exported under another PatientID, are one patient:
the split never puts them on both sides."""

import logging
from pathlib import Path

import pydicom
import pytest

from core.io import write_new_dicom
from core.noise import phantom_image
from core.training.data import assign_patients, find_images, read_header, split_by_patient
from core.training.patient_table import group_patients


def _dicom(path: Path, patient_id: str, seed: int) -> pydicom.Dataset:
    stored = phantom_image((16, 16), bits_stored=12, photons_per_pixel=2000.0, seed=seed)
    write_new_dicom(stored, path, bits_stored=12, patient_id=patient_id)
    return pydicom.dcmread(path)


@pytest.fixture
def folder(tmp_path) -> Path:
    """Ten patients; a study whose second file has no PatientID; a re-export of p0's image."""
    for i in range(10):
        _dicom(tmp_path / f"p{i}.dcm", f"P{i}", seed=i)
    with_id = _dicom(tmp_path / "with_id.dcm", "LEAK", seed=20)
    no_id = _dicom(tmp_path / "no_id.dcm", "", seed=21)
    no_id.StudyInstanceUID = with_id.StudyInstanceUID
    no_id.save_as(tmp_path / "no_id.dcm")
    copy = pydicom.dcmread(tmp_path / "p0.dcm")
    copy.PatientID = "ANON-1"
    copy.save_as(tmp_path / "p0_anon.dcm")
    return tmp_path


def test_read_header_gives_patient_study_and_instance(folder):
    ds = pydicom.dcmread(folder / "with_id.dcm")
    assert read_header(folder / "with_id.dcm") == (
        True,
        (
            "dicom-patient:LEAK",
            f"dicom-study:{ds.StudyInstanceUID}",
            f"dicom-instance:{ds.SOPInstanceUID}",
        ),
    )
    ids = read_header(folder / "no_id.dcm")[1]
    assert [key.partition(":")[0] for key in ids] == ["dicom-study", "dicom-instance"]


def test_a_study_and_a_shared_image_link_their_files_on_one_side_of_every_split(folder, caplog):
    with caplog.at_level(logging.INFO, logger="core.training.patient_table"):
        records = assign_patients(folder, find_images(folder))
    patient = {r.path.name: r.patient_id for r in records}
    assert patient["no_id.dcm"] == patient["with_id.dcm"] == "dicom-patient:LEAK"
    assert patient["p0.dcm"] == patient["p0_anon.dcm"] == "dicom-patient:ANON-1"
    assert len(set(patient.values())) == 11
    for seed in range(20):
        train, val = split_by_patient(records, val_fraction=0.3, seed=seed)
        held_out = {r.path.name for r in val}
        for pair in (("no_id.dcm", "with_id.dcm"), ("p0.dcm", "p0_anon.dcm")):
            assert len(held_out & set(pair)) in (0, 2), (seed, pair)
    (joined,) = [r for r in caplog.records if "taken as one patient" in r.getMessage()]
    assert joined.levelno == logging.WARNING
    assert joined.getMessage().startswith(
        "1 group(s) of DICOM PatientIDs are each taken as one patient, joined by a study or "
        "an image (SOPInstanceUID) their files share (such as 'ANON-1' and 'P0')"
    )


def test_chains_merge_and_instances_alone_name_no_patient(tmp_path):
    paths = [tmp_path / name for name in ("a", "b", "c", "d", "e", "f")]
    a, b, c, d, e, f = paths
    dicom = {
        a: ("dicom-patient:X", "dicom-study:1", "dicom-instance:1.1"),
        b: ("dicom-study:1", "dicom-instance:1.2"),  # no PatientID: X's by its study
        c: ("dicom-study:2", "dicom-instance:1.2"),  # b's image in another study: X's too
        d: ("dicom-instance:9",),  # an instance alone: no patient known
        e: ("dicom-instance:9",),  # a copy of d: one with it, named by d's file
        f: (),
    }
    patients = group_patients(tmp_path, paths, {}, dicom)
    assert [patients[p] for p in paths] == [
        "dicom-patient:X",
        "dicom-patient:X",
        "dicom-patient:X",
        "file:d",
        "file:d",
        "file:f",
    ]


def test_a_placeholder_study_or_image_joins_no_patients(tmp_path, caplog):
    # Anonymisers and templates write one StudyInstanceUID or SOPInstanceUID for all.
    paths = [tmp_path / f"p{i}.dcm" for i in range(6)]
    dicom = {
        path: (f"dicom-patient:ANON{i:03d}", "dicom-study:1.2.3", f"dicom-instance:9.{i % 3}")
        for i, path in enumerate(paths)
    }
    with caplog.at_level(logging.WARNING, logger="core.training.patient_table"):
        patients = group_patients(tmp_path, paths, {}, dicom)
    # The study joins none of them; each image is in the files of two: those are joined.
    expected = ["dicom-patient:ANON000", "dicom-patient:ANON001", "dicom-patient:ANON002"]
    assert [patients[p] for p in paths] == expected * 2
    (placeholder,) = [m for m in caplog.messages if "placeholders" in m]
    assert placeholder.startswith(
        "1 DICOM studies or images (StudyInstanceUID, SOPInstanceUID) are each in the files of "
        "more than 2 PatientIDs (such as 1.2.3, in those of 6)"
    )


def test_a_placeholder_study_of_copies_without_patient_id_joins_no_patients(tmp_path, caplog):
    # Originals of 5 patients, and anonymised copies: no PatientID, one constant study, each
    # copy its original's SOPInstanceUID. The constant study chained every patient into one.
    originals = [tmp_path / f"p{i}.dcm" for i in range(5)]
    copies = [tmp_path / f"copy{i}.dcm" for i in range(5)]
    dicom = {
        **{
            path: (f"dicom-patient:P{i}", f"dicom-study:{i}", f"dicom-instance:1.{i}")
            for i, path in enumerate(originals)
        },
        **{path: ("dicom-study:9.9.9", f"dicom-instance:1.{i}") for i, path in enumerate(copies)},
    }
    with caplog.at_level(logging.WARNING, logger="core.training.patient_table"):
        patients = group_patients(tmp_path, originals + copies, {}, dicom)
    expected = [f"dicom-patient:P{i}" for i in range(5)]
    assert [patients[p] for p in originals] == expected
    assert [patients[p] for p in copies] == expected  # each copy with its original
    assert any("(such as 9.9.9, in those of 5)" in m for m in caplog.messages)
