"""The app's exports and reports record the source as it was read, and a simulation as one.

* A file replaced on disk after it was opened: the export's record and the report's
  SHA-256 are those of the bytes opened and denoised, not of the new file, and
  ``xray-denoise denoise --skip-existing`` does not keep the export as the new file
  denoised.
* A denoised simulation: its PNG's record says a lower dose was simulated, its DICOM has
  a ContributingEquipmentSequence item for the simulation, and ``--skip-existing`` does
  not take either for the full-dose file denoised.
"""

import hashlib
import json
import shutil

import numpy as np
import pydicom
import pytest
from PIL import Image

from core.cli import main
from core.io.source_record import made_from, raster_description, source_record
from core.noise import LowDoseSettings

pytestmark = pytest.mark.gui

SIMULATED = "exists, made from a lower dose simulated from this input, not from this input"


def _film(path, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:64, 0:80]
    values = 20000 + 9000 * np.sin(xx / 9) * np.cos(yy / 7) + rng.normal(0, 300, xx.shape)
    Image.fromarray(values.astype(np.uint16)).save(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_replaced_since_it_was_opened_is_recorded_as_opened(
    window, denoise_quickly, settle, tmp_path, tiny_model_path, capsys
):
    source = tmp_path / "film.png"
    opened = _film(source, 0)
    assert window.open_file(source)
    settle(window)
    window.simulate_low_dose(LowDoseSettings(dose=0.5, photons_per_pixel=20000, seed=0))
    settle(window)
    denoise_quickly(window)
    settle(window)
    replaced = _film(tmp_path / "new.png", 1)
    (tmp_path / "new.png").replace(source)
    out = tmp_path / "out"
    out.mkdir()
    exported = window.export_image(out / "film.png")
    record = source_record(opened, 0, simulated=True)
    assert f"; {record}. Not for diagnostic use" in raster_description(exported)
    report = next(p for p in window.export_report(tmp_path / "report") if p.suffix == ".json")
    content = json.loads(report.read_text(encoding="utf-8"))
    assert content["source_sha256"] == opened != replaced
    assert content["reference"]["sha256"] == opened  # the simulation's full dose, as read
    capsys.readouterr()
    options = ["--model", str(tiny_model_path), "--device", "cpu", "--views", "1"]
    argv = ["denoise", str(source), "--output-dir", str(out), *options, "--skip-existing"]
    assert main(argv) == 2
    assert "exists, made from another input" in capsys.readouterr().err


def test_a_denoised_simulation_is_not_its_source_denoised(
    window, denoise_quickly, settle, small_dicom, tmp_path, tiny_model_path, capsys
):
    source = tmp_path / "phantom.dcm"
    shutil.copy(small_dicom, source)
    assert window.open_file(source)
    settle(window)
    window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=0))
    settle(window)
    denoise_quickly(window)
    settle(window)
    out = tmp_path / "out"
    out.mkdir()
    png, dicom = window.export_image(out / "phantom.png"), window.export_image(out / "phantom.dcm")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert made_from(png, source, 0, lambda: digest) == SIMULATED
    assert made_from(dicom, source, 0, lambda: digest) == SIMULATED
    # The simulation is history: an item of its own, said before the denoising.
    items = pydicom.dcmread(dicom).ContributingEquipmentSequence
    assert [i.ContributionDescription.split(" ", 1)[0] for i in items] == ["simulated", "then"]
    assert "t* " in items[1].ContributionDescription
    derivation = pydicom.dcmread(dicom).DerivationDescription
    assert derivation.index("simulated 25 % dose") < derivation.index("; then denoised by")
    capsys.readouterr()
    options = ["--model", str(tiny_model_path), "--device", "cpu", "--views", "1"]
    argv = ["denoise", str(source), "--output-dir", str(out), *options, "--skip-existing"]
    assert main(argv) == 2
    assert SIMULATED in capsys.readouterr().err
