"""The GUI documents a simulated dose as the CLI does: the range of values and the clipping."""

import json

import pytest

from core.noise import LowDoseSettings, describe_simulation, simulate_low_dose_image

pytestmark = pytest.mark.gui

DOSE = LowDoseSettings(dose=0.25, seed=0)


def test_the_status_and_the_report_name_the_range_and_the_clipped_pixels(
    window, qtbot, small_dicom, tmp_path
):
    window.open_file(small_dicom)
    source = window.image
    worker = window.simulate_low_dose(DOSE)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=10000):
        pass
    simulated = simulate_low_dose_image(source, DOSE)
    expected = describe_simulation(source, simulated, DOSE, exact=False)  # rounded to read
    assert "over the range" in expected and "clipped at" in expected
    assert window.controls.status.text() == f"Showing a {expected}."
    report = json.loads(window.export_report(tmp_path / "report")[1].read_text())
    assert report["simulation"] == expected
