"""The report records a simulation exactly: the noise-free input choice and the quanta's range."""

import json

import pytest

from core.io import read_image, write_new_dicom
from core.noise import LowDoseSettings, phantom_image
from xraygui.reports import CSV_COLUMNS

pytestmark = pytest.mark.gui


@pytest.fixture
def scan(tmp_path):
    pixels = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=1)
    write_new_dicom(pixels, tmp_path / "scan.dcm", bits_stored=12)
    return read_image(tmp_path / "scan.dcm")


def test_a_noise_free_input_and_measured_quanta_are_in_the_json_and_csv(qapp, scan, written_report):
    dose = LowDoseSettings(
        dose=0.25, measured=True, photons_range=(1800.0, 2200.0), input_is_noisy=False, seed=3
    )
    js, (row,), _ = written_report(source=scan, image=scan, dose=dose)
    settings = js["simulation_settings"]
    assert settings["input_is_noisy"] is False
    assert settings["photons_standard_error"] == [1800.0, 2200.0]  # as simulate --json names it
    assert row["simulation_input_is_noisy"] == "False"
    assert json.loads(row["simulation_photons_standard_error"]) == [1800.0, 2200.0]


def test_assumed_quanta_have_no_standard_error(qapp, scan, written_report):
    js, (row,), _ = written_report(source=scan, image=scan, dose=LowDoseSettings(dose=0.5))
    settings = js["simulation_settings"]
    assert settings["input_is_noisy"] is True and settings["quanta"] == "assumed"
    assert settings["photons_standard_error"] is None
    assert row["simulation_input_is_noisy"] == "True"
    assert row["simulation_photons_standard_error"] == ""


def test_the_new_simulation_columns_come_after_the_earlier_ones():
    new = ("simulation_input_is_noisy", "simulation_photons_standard_error")
    first = min(CSV_COLUMNS.index(name) for name in new)
    assert CSV_COLUMNS.index("share_clipped") < first
