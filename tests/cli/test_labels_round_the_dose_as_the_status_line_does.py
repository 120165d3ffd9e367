"""Labels round a simulated dose as the status line does; the record keeps every digit.

A derived DICOM's SeriesDescription is a label a person reads in a PACS list: it rounds the
dose to ``READABLE_DIGITS`` significant digits, as the app's status line does, where it had
written six. The DerivationDescription is the record: the exact dose.
"""

import pydicom

from core.cli import main
from core.noise.dose import dose_percent


def test_the_series_description_rounds_the_dose_and_the_derivation_keeps_it(tmp_path, capsys):
    phantom = tmp_path / "phantom.dcm"
    assert main(["phantom", str(phantom), "--size", "64", "--seed", "1"]) == 0
    low = tmp_path / "low.dcm"
    argv = ["simulate", str(phantom), "--dose", "0.0123456789", "--seed", "2"]
    assert main([*argv, "--photons", "20000", "--output", str(low)]) == 0
    capsys.readouterr()
    written = pydicom.dcmread(low)
    assert "simulated 1.2346 % dose" in written.SeriesDescription
    assert "1.23457" not in written.SeriesDescription
    assert "simulated 1.23456789 % dose" in written.DerivationDescription


def test_a_dose_reads_rounded_or_exact():
    assert dose_percent(0.0123456789, exact=False) == "1.2346"
    assert dose_percent(0.0123456789, exact=True) == "1.23456789"
    assert dose_percent(0.25, exact=False) == "25"
