"""Copies of one image (identical decoded pixels) are one patient, whatever their UIDs,
PatientIDs, folders or names say, so that the split never puts an image on both sides; a
blank image, or one image in the files of many patients (a placeholder), joins none."""

import csv
import logging
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from core.io import write_new_dicom
from core.noise import phantom_image
from core.training.data import (
    ImageRecord,
    assign_patients,
    find_images,
    join_copies,
    load_images,
    pixel_identity,
    split_by_patient,
)
from core.training.patient_table import MOST_JOINED_BY_PIXELS

LOGGERS = ("core.training.patient_table", "core.training.data")


def _dicom(path: Path, patient_id: str, seed: int) -> pydicom.Dataset:
    stored = phantom_image((32, 32), bits_stored=12, photons_per_pixel=2000.0, seed=seed)
    write_new_dicom(stored, path, bits_stored=12, patient_id=patient_id)
    return pydicom.dcmread(path)


def _png(path: Path, pixels: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


def _table(folder: Path, rows: dict[str, str]) -> None:
    with (folder / "data.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["patient_id", "image_id"])
        writer.writerows((patient, image) for image, patient in rows.items())


def _load(folder: Path, caplog) -> tuple[dict[str, str], list[Path]]:
    """Patients as training gives them once the images are loaded, by file name."""
    joined: list[Path] = []
    with caplog.at_level(logging.INFO):
        records = assign_patients(folder, find_images(folder))
        images, skipped = load_images(records, joined=joined)
    assert not skipped
    return {image.record.path.name: image.record.patient_id for image in images}, joined


def test_one_image_under_three_patient_ids_is_one_patient(tmp_path, caplog):
    # One image exported three times under three PatientIDs: its SOPInstanceUID is in the
    # files of more than MOST_JOINED PatientIDs, a placeholder by UID; its pixels join them.
    original = _dicom(tmp_path / "a.dcm", "A", seed=1)
    for patient_id in ("B", "C"):
        copy = pydicom.dcmread(tmp_path / "a.dcm")
        copy.PatientID = patient_id
        copy.save_as(tmp_path / f"{patient_id.lower()}.dcm")
    for i in range(6):
        _dicom(tmp_path / f"other{i}.dcm", f"P{i}", seed=10 + i)
    patients, joined = _load(tmp_path, caplog)
    assert patients["a.dcm"] == patients["b.dcm"] == patients["c.dcm"] == "dicom-patient:A"
    assert len(set(patients.values())) == 7  # the six others stay apart
    assert [path.name for path in joined] == ["a.dcm", "b.dcm", "c.dcm"]
    assert pydicom.dcmread(tmp_path / "c.dcm").SOPInstanceUID == original.SOPInstanceUID
    # The UID is still a placeholder (it joins by itself no patients), said as before.
    assert any(f"such as {original.SOPInstanceUID}, in those of 3" in m for m in caplog.messages)
    (said,) = [r for r in caplog.records if "copies of images" in r.getMessage()]
    assert said.levelno == logging.WARNING
    assert said.getMessage().startswith(
        "3 files hold copies of images in other patients' files (identical pixels, such as "
        f"{tmp_path / 'a.dcm'} and {tmp_path / 'b.dcm'}): their 3 patients are taken as 1"
    )
    records = [ImageRecord(tmp_path / name, patient) for name, patient in patients.items()]
    for seed in range(20):
        _, val = split_by_patient(records, val_fraction=0.4, seed=seed)
        assert len({r.path.name for r in val} & {"a.dcm", "b.dcm", "c.dcm"}) in (0, 3), seed


@pytest.mark.parametrize("with_table", [True, False])
def test_identical_pngs_in_two_patient_folders_are_one_patient(tmp_path, with_table, caplog):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 2**16, (24, 20), dtype=np.uint16)
    _png(tmp_path / "site1" / "scan.png", image)
    _png(tmp_path / "site2" / "copy_of_scan.png", image.copy())  # another name, same pixels
    for i in range(4):
        _png(tmp_path / "site2" / f"im{i}.png", rng.integers(0, 2**16, (24, 20), np.uint16))
    if with_table:
        _table(tmp_path, {"scan": "P1", "copy_of_scan": "P2"} | {f"im{i}": "P2" for i in range(4)})
    patients, joined = _load(tmp_path, caplog)
    assert patients["scan.png"] == patients["copy_of_scan.png"]
    assert [path.name for path in joined] == ["scan.png", "copy_of_scan.png"]
    if with_table:  # the table's patients are one: every file of P2 is now P1's
        assert set(patients.values()) == {"P1"}
    else:  # each file its own patient: the copies are one, named by the first file
        assert patients["copy_of_scan.png"] == "file:site1/scan.png"
        assert len(set(patients.values())) == 5


def test_a_blank_image_in_many_patients_joins_none_and_is_warned_of(tmp_path, caplog):
    rng = np.random.default_rng(1)
    for i in range(6):
        _png(tmp_path / f"p{i}" / "blank.png", np.zeros((24, 20), np.uint16))
        _png(tmp_path / f"p{i}" / "scan.png", rng.integers(0, 2**16, (24, 20), np.uint16))
    _table(tmp_path, {f"p{i}/{name}": f"P{i}" for i in range(6) for name in ("blank", "scan")})
    joined: list[Path] = []
    with caplog.at_level(logging.WARNING, logger=LOGGERS[0]):
        images, _ = load_images(assign_patients(tmp_path, find_images(tmp_path)), joined=joined)
    assert len({image.record.patient_id for image in images}) == 6
    assert joined == []
    (said,) = [m for m in caplog.messages if "no variation" in m]
    assert said.startswith(
        "1 images with no variation (every pixel one value) are each alike in the files of two "
        f"or more patients (such as {tmp_path / 'p0' / 'blank.png'}, in those of 6)"
    )
    assert not any("copies of images" in m for m in caplog.messages)


def test_one_image_in_the_files_of_many_patients_is_a_placeholder(tmp_path, caplog):
    rng = np.random.default_rng(2)
    template = rng.integers(0, 256, (24, 20), dtype=np.uint8)  # a "no image" picture
    n = MOST_JOINED_BY_PIXELS + 1
    for i in range(n):
        _png(tmp_path / f"p{i}" / "template.png", template)
    _table(tmp_path, {f"p{i}/template": f"P{i}" for i in range(n)})
    with caplog.at_level(logging.WARNING, logger=LOGGERS[0]):
        images, _ = load_images(assign_patients(tmp_path, find_images(tmp_path)))
    assert len({image.record.patient_id for image in images}) == n
    (said,) = [m for m in caplog.messages if "placeholders" in m]
    assert said.startswith(
        f"1 images are each identical in the files of more than {MOST_JOINED_BY_PIXELS} "
        f"patients (such as {tmp_path / 'p0' / 'template.png'}, in those of {n})"
    )


def test_different_images_are_not_joined(tmp_path):
    rng = np.random.default_rng(3)
    pixels = rng.random((16, 32)).astype(np.float32)
    one_pixel_off = pixels.copy()
    one_pixel_off[7, 9] = np.nextafter(one_pixel_off[7, 9], np.float32(2))
    same_bytes = [
        pixels,
        one_pixel_off,
        pixels.reshape(32, 16),  # the same bytes, another shape
        pixels.view(np.int32),  # the same bytes, another dtype
    ]
    identities = [pixel_identity(p) for p in same_bytes]
    assert len({identity.digest for identity in identities}) == 4
    assert not any(identity.uniform for identity in identities)
    copy = pixel_identity(pixels.copy())
    assert copy == identities[0]
    records = [ImageRecord(tmp_path / f"{i}.npy", f"P{i}") for i in range(5)]
    joined_records, joined = join_copies(list(zip(records, [*identities, copy], strict=True)))
    assert [r.patient_id for r in joined_records] == ["P0", "P1", "P2", "P3", "P0"]
    assert joined == [records[0].path, records[4].path]


def test_the_card_counts_the_files_joined_by_their_pixels(tmp_path, tiny_config):
    from dataclasses import replace

    from core.training.loop import _prepare_data, find_training_files

    for i in range(6):
        _png(tmp_path / f"p{i}" / "a.png", phantom_image((96, 96), bits_stored=8, seed=i))
    _png(tmp_path / "p6" / "copy.png", phantom_image((96, 96), bits_stored=8, seed=0))
    config = replace(tiny_config, data=tmp_path, val_fraction=0.3)
    card = _prepare_data(config, files=find_training_files(tmp_path)).card
    assert card["files_joined_by_pixels"] == 2  # the image and its copy
    assert "identical pixels" in card["split"] and "copy.png" not in str(card)


def test_copies_that_chain_more_patients_than_one_image_may_span_join_none(tmp_path, caplog):
    rng = np.random.default_rng(4)
    n = 12
    for i in range(n):
        _png(tmp_path / f"p{i}" / "own.png", rng.integers(0, 2**16, (24, 20), np.uint16))
    rows = {f"p{i}/own": f"P{i}" for i in range(n)}
    for i in range(n - 1):  # each shared image in two neighbours' files only: a chain
        shared = rng.integers(0, 2**16, (24, 20), np.uint16)
        _png(tmp_path / f"p{i}" / f"shared{i}.png", shared)
        _png(tmp_path / f"p{i + 1}" / f"shared{i}.png", shared)
        rows |= {f"p{i}/shared{i}": f"P{i}", f"p{i + 1}/shared{i}": f"P{i + 1}"}
    _table(tmp_path, rows)
    joined: list[Path] = []
    with caplog.at_level(logging.WARNING, logger=LOGGERS[0]):
        images, _ = load_images(assign_patients(tmp_path, find_images(tmp_path)), joined=joined)
    assert len({image.record.patient_id for image in images}) == n
    assert joined == []
    (said,) = [m for m in caplog.messages if "chain" in m]
    assert said.startswith(f"{n - 1} images identical in the files of two or more patients")


def test_the_one_patient_hint_names_copies_that_joined_the_patients(tmp_path, tiny_config, caplog):
    from dataclasses import replace

    from core.training.loop import _prepare_data, find_training_files

    rng = np.random.default_rng(5)
    for patient in ("a", "b"):
        for i in range(3):
            _png(tmp_path / patient / f"{i}.png", rng.integers(0, 256, (96, 96), np.uint8))
    copy = np.asarray(Image.open(tmp_path / "a" / "0.png"))
    _png(tmp_path / "b" / "copy.png", copy)
    _table(
        tmp_path,
        {f"{p}/{i}": p.upper() for p in ("a", "b") for i in range(3)} | {"b/copy": "B"},
    )
    config = replace(tiny_config, data=tmp_path, val_fraction=0.5)
    with caplog.at_level(logging.WARNING, logger="core.training.loop"):
        data = _prepare_data(config, files=find_training_files(tmp_path))
    assert data.card["n_patients"] == 1
    (said,) = [m for m in caplog.messages if "nothing held out" in m]
    assert "copies of one image (identical pixels, such as 0.png)" in said
    assert "DICOM PatientID" not in said
