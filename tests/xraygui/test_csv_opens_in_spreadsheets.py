"""Report and batch CSVs start with a UTF-8 byte-order mark, so Excel reads their UTF-8."""

import codecs
import csv

from xraygui.jobs import BATCH_COLUMNS, write_batch_csv
from xraygui.reports import CSV_COLUMNS, csv_bytes

NAME = "Müller µ×.dcm"


def test_the_batch_table_starts_with_the_bom_and_round_trips_non_ascii_text(tmp_path):
    path = tmp_path / "batch_metrics.csv"
    write_batch_csv([{"source": NAME, "error": "5 µm × 2"}], path)
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    with open(path, encoding="utf-8-sig", newline="") as f:
        (row,) = csv.DictReader(f)
    assert list(row) == list(BATCH_COLUMNS)
    assert row["source"] == NAME and row["error"] == "5 µm × 2"


def test_the_report_table_starts_with_one_bom_only(tmp_path):
    data = csv_bytes(CSV_COLUMNS, [{"source": NAME}, {"source": "b.dcm"}])
    assert data.startswith(codecs.BOM_UTF8)
    assert data.count(codecs.BOM_UTF8) == 1
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    assert [row["source"] for row in rows] == [NAME, "b.dcm"]
