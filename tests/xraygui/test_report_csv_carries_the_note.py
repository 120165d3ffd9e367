"""The CSV report carries the note the JSON and PDF carry (a denoise still running, say)."""

import pytest

from core.io import read_image, write_new_dicom
from core.noise import phantom_image
from xraygui.reports import CSV_COLUMNS

pytestmark = pytest.mark.gui

NOTE = "A denoise was running when this report was made; its result is not in this report."


def test_the_note_is_in_every_format(qapp, tmp_path, written_report):
    pixels = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    write_new_dicom(pixels, tmp_path / "scan.dcm", bits_stored=12)
    scan = read_image(tmp_path / "scan.dcm")
    js, (row,), pdf = written_report(source=scan, image=scan, note=NOTE)
    assert js["note"] == NOTE and NOTE in pdf
    assert row["note"] == NOTE


def test_without_a_note_the_cell_is_empty(qapp, tmp_path, written_report):
    pixels = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    write_new_dicom(pixels, tmp_path / "scan.dcm", bits_stored=12)
    scan = read_image(tmp_path / "scan.dcm")
    js, (row,), _ = written_report(source=scan, image=scan)
    assert "note" not in js and row["note"] == ""


def test_the_note_column_is_added_at_the_end():
    assert CSV_COLUMNS.index("note") > CSV_COLUMNS.index("share_clipped")  # after 0.1.x's
