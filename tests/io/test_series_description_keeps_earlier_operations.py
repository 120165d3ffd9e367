"""A derived series keeps the operations an earlier derivation named: the dose stays in view."""

import numpy as np
import pydicom

from core.io import read_image, write_derived_dicom
from core.io.dicom_write import LO_MAX
from core.io.notice import DISCLAIMER

PREFIX = f"{DISCLAIMER}: "


def _derive(source, out, operation):
    return pydicom.dcmread(
        write_derived_dicom(read_image(source), out, description=operation, operation=operation)
    )


def test_denoising_a_simulated_dose_keeps_the_dose_in_the_series(tmp_path, write_dx):
    stored = np.zeros((8, 8), dtype=np.uint16)
    source = write_dx(stored, SeriesDescription="SYNTHETIC chest phantom, 20000 quanta per pixel")
    simulated = _derive(source, tmp_path / "sim.dcm", "simulated 25 % dose")
    assert simulated.SeriesDescription == f"{PREFIX}SYNTHETIC chest... (simulated 25 % dose)"
    denoised = _derive(tmp_path / "sim.dcm", tmp_path / "den.dcm", "denoised")
    series = denoised.SeriesDescription
    assert series.endswith(" (simulated 25 % dose, denoised)") and "......" not in series
    assert series.startswith(PREFIX + "SYNTH") and len(series) <= LO_MAX
    again = _derive(tmp_path / "den.dcm", tmp_path / "again.dcm", "denoised")
    assert again.SeriesDescription == series  # the same done once more is not repeated


def test_a_source_description_with_brackets_of_its_own_is_only_shortened(tmp_path, write_dx):
    stored = np.zeros((8, 8), dtype=np.uint16)
    source = write_dx(stored, SeriesDescription="Chest (PA)")
    assert _derive(source, tmp_path / "d.dcm", "denoised").SeriesDescription == (
        f"{PREFIX}Chest (PA) (denoised)"
    )
