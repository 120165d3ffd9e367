"""data.csv: read as spreadsheets save it, in any folder, refused when unusable; one
patient keeps one identity across the table and DICOM; hidden folders are left out."""

import codecs
import logging

import numpy as np
import pytest
from PIL import Image

from core.errors import error_line, is_bad_input
from core.io import write_new_dicom
from core.training.arguments import training_parser
from core.training.data import assign_patients, find_images, sort_files
from core.training.patient_table import PatientTableError


def _png(path, seed=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = (np.random.default_rng(seed).random((40, 40)) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(path)


def _dicom(path, patient_id):
    pixels = (np.random.default_rng(0).random((40, 40)) * 4000).astype(np.uint16)
    write_new_dicom(pixels, path, patient_id=patient_id)


def _patients(folder, **options):
    records = assign_patients(folder, find_images(folder), **options)
    return {r.path.relative_to(folder).as_posix(): r.patient_id for r in records}


@pytest.fixture
def four(tmp_path):
    for i in range(4):
        _png(tmp_path / f"img{i}.png", i)
    return tmp_path


def test_a_german_excel_table_is_read(four):
    # Excel's "CSV (semicolon)" on a German Windows: cp1252, semicolons, CRLF.
    table = "patient_id;image_id\r\nMüller;img0\r\nMüller;img1\r\nJosé;img2\r\nJosé;img3.png\r\n"
    (four / "data.csv").write_bytes(table.encode("cp1252"))
    patients = _patients(four)
    assert patients == {
        "img0.png": "Müller",
        "img1.png": "Müller",
        "img2.png": "José",
        "img3.png": "José",
    }


def test_a_utf16_table_with_a_byte_order_mark_is_read(four):
    table = "image_id\tpatient_id\nimg0\tA\nimg1\tA\nimg2\tB\nimg3\tB\n"
    (four / "data.csv").write_bytes(codecs.BOM_UTF16_LE + table.encode("utf-16-le"))
    assert set(_patients(four).values()) == {"A", "B"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"patient,image\nA,img0\n", "no patient_id and image_id columns"),
        (b"patient_id,image_id\nA,other\n", "none of its 1 image_id values names an image"),
        (b"patient_id,image_id\n", "none of its 0 image_id values names an image"),
        (b"", "no patient_id and image_id columns"),
    ],
)
def test_an_unusable_table_refuses_in_one_line_unless_ignored(four, content, reason, caplog):
    (four / "data.csv").write_bytes(content)
    with pytest.raises(PatientTableError) as refused:
        _patients(four)
    line = error_line(refused.value)
    assert is_bad_input(refused.value) and "\n" not in line
    assert line.startswith(f"{four / 'data.csv'}: {reason}")
    assert line.endswith("(or train with --ignore-patient-table)")
    with caplog.at_level(logging.WARNING):
        patients = _patients(four, ignore_tables=True)
    assert set(patients.values()) == {f"file:img{i}.png" for i in range(4)}
    assert "(--ignore-patient-table)" in caplog.text


def test_the_command_line_takes_the_ignore_option():
    parser = training_parser("xray-denoise train")
    args = parser.parse_args(["d", "--output", "m.safetensors", "--ignore-patient-table"])
    assert args.ignore_patient_table
    assert not parser.parse_args(["d", "--output", "m.safetensors"]).ignore_patient_table


def test_tables_in_subfolders_name_their_own_images(tmp_path):
    for site, first in (("site1", 0), ("site2", 4)):
        for i in range(first, first + 4):
            _png(tmp_path / site / f"img{i}.png", i)
        rows = [f"p{first + k // 2},img{first + k}" for k in range(4)]
        (tmp_path / site / "data.csv").write_text("patient_id,image_id\n" + "\n".join(rows))
    patients = _patients(tmp_path)
    assert len(patients) == 8 and set(patients.values()) == {"p0", "p1", "p4", "p5"}
    assert patients["site2/img5.png"] == patients["site2/img4.png"] == "p4"
    assert sort_files(tmp_path)[1] == []  # the tables are not "files not taken as images"


def test_two_tables_that_disagree_on_an_image_are_refused_naming_both(tmp_path):
    _png(tmp_path / "site1" / "img0.png")
    _png(tmp_path / "img9.png")
    (tmp_path / "site1" / "data.csv").write_text("patient_id,image_id\nA,img0\n")
    (tmp_path / "data.csv").write_text("patient_id,image_id\nB,site1/img0\nC,img9\n")
    with pytest.raises(PatientTableError) as refused:
        _patients(tmp_path)
    message = str(refused.value)
    assert str(tmp_path / "data.csv") in message and str(tmp_path / "site1" / "data.csv") in message
    assert "site1/img0.png" in message


def test_two_tables_that_agree_are_one(tmp_path):
    _png(tmp_path / "site1" / "img0.png")
    (tmp_path / "site1" / "data.csv").write_text("patient_id,image_id\nA,img0\n")
    (tmp_path / "data.csv").write_text("patient_id,image_id\nA,site1/img0\n")
    assert _patients(tmp_path) == {"site1/img0.png": "A"}


def test_a_partial_table_and_dicom_keep_one_identity_per_patient(tmp_path):
    _dicom(tmp_path / "p1_a.dcm", "P1")
    _dicom(tmp_path / "p1_b.dcm", "P1")  # not in the table, same DICOM patient
    _dicom(tmp_path / "x.dcm", "X")
    _png(tmp_path / "other.png")
    (tmp_path / "data.csv").write_text("patient_id,image_id\nAlice,p1_a\nBob,other\n")
    patients = _patients(tmp_path)
    assert patients["p1_a.dcm"] == patients["p1_b.dcm"] == "Alice"
    assert patients["x.dcm"] == "dicom-patient:X" and patients["other.png"] == "Bob"


def test_a_dicom_patient_under_two_table_patients_joins_them(tmp_path, caplog):
    _dicom(tmp_path / "a.dcm", "P1")
    _dicom(tmp_path / "b.dcm", "P1")
    _png(tmp_path / "c.png")
    (tmp_path / "data.csv").write_text("patient_id,image_id\nA,a\nB,b\nB,c\n")
    with caplog.at_level(logging.WARNING):
        patients = _patients(tmp_path)
    assert set(patients.values()) == {"A"}
    assert "such as dicom-patient:P1, under A and B" in caplog.text


def test_images_without_any_patient_are_warned_of_once(four, caplog):
    with caplog.at_level(logging.WARNING):
        _patients(four)
    (message,) = [m for m in caplog.messages if "no patient" in m]
    assert message.startswith("4 image files have no patient (no data.csv, no DICOM PatientID)")
    assert "validation is optimistic" in message and "add a data.csv" in message


def test_hidden_and_nas_folders_are_left_out_in_one_line(four, caplog):
    _png(four / ".thumbnails" / "img0.png")
    _png(four / "@eaDir" / "img0.png" / "SYNOPHOTO_THUMB_M.png")
    _png(four / "__MACOSX" / "img1.png")
    _png(four / "._img2.png")
    with caplog.at_level(logging.INFO, logger="core.training.data"):
        paths = find_images(four)
    assert [p.name for p in paths] == [f"img{i}.png" for i in range(4)]
    (line,) = [m for m in caplog.messages if "left out" in m]
    assert "3 hidden or system folder(s) and 1 hidden file(s)" in line
