"""What the reference is, simulation source or chosen by the user, is kept, not guessed.

A reference chosen after a simulation is reported as the user's (not as the simulation's
source) and named as x_0 of the forward process; a simulation that replaces a chosen
reference says so; no reference is taken while a simulation runs.
"""

import csv
import hashlib
import io
import json

import pytest

from core.io import write_new_dicom
from core.noise import LowDoseSettings, phantom_image

pytestmark = pytest.mark.gui


@pytest.fixture
def truth(tmp_path):
    """A reference of the size of ``small_dicom`` (96 x 96), with other noise."""
    stored = phantom_image((96, 96), bits_stored=12, photons_per_pixel=20000.0, seed=5)
    return write_new_dicom(stored, tmp_path / "truth.dcm", bits_stored=12)


def _report(window, folder):
    _, js, table = window.export_report(folder)
    (row,) = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))[:1]
    return json.loads(js.read_text(encoding="utf-8")), row


def test_a_reference_chosen_after_a_simulation_is_reported_as_chosen(
    window, settle, small_dicom, truth, tmp_path
):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=3))
    settle(window)
    js, row = _report(window, tmp_path / "simulated")
    assert js["reference"]["kind"] == js["image"]["reference"] == "simulation source"
    assert window.set_reference(truth)
    settle(window)
    js, row = _report(window, tmp_path / "chosen")
    assert js["reference"]["name"].startswith("reference image ")  # no file name without ids
    assert js["reference"]["sha256"] == hashlib.sha256(truth.read_bytes()).hexdigest()
    assert js["reference"]["kind"] == js["image"]["reference"] == "user-chosen image"
    assert row["reference_kind"] == "user-chosen image"
    assert js["simulation"].startswith("simulated 25 % dose")  # the image still is one


def test_the_forward_process_names_a_chosen_reference_as_its_x0(window, settle, small_dicom, truth):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=3))
    settle(window)
    window.timeline.set_mode("forward")
    assert "x_0 = the original image, not the simulated low dose:" in window.timeline.label.text()
    assert window.set_reference(truth)
    assert "x_0 = the chosen reference image:" in window.timeline.label.text()
    assert window._preview.image is window.reference


def test_a_simulation_says_it_replaces_the_chosen_reference(window, settle, small_dicom, truth):
    window.open_file(small_dicom)
    assert window.set_reference(truth)
    window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=1))
    settle(window)
    assert window.reference is window.source
    message = window.statusBar().currentMessage()
    assert message.endswith(
        "the opened image is now the reference for the metrics, not truth.dcm "
        "(Image > Use Original brings it back)"
    )


def test_no_reference_is_taken_while_a_simulation_runs(window, settle, small_dicom, truth):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=2))
    assert not window.set_reference(truth)
    assert window.statusBar().currentMessage().startswith("Busy:")
    settle(window)
    assert window.reference is window.source
    assert window.reference_kind == "simulation source"
