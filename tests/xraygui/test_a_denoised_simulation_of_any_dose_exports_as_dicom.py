"""A denoised simulation of any dose the dialog takes exports as a DICOM.

Its SeriesDescription names "simulated <dose> % dose, denoised" in at most 32 characters;
a dose of five significant digits such as 12.345 % made 33, the writer refused it with a
ValueError the export did not catch, and the app wrote nothing and said nothing. The dose
is now rounded there to what fits (the exact dose is recorded beside it).
"""

import numpy as np
import pydicom
import pytest

from core.io.dicom_write import OPERATION_MAX
from core.noise import LowDoseSettings
from core.noise.dose import dose_operation


def test_every_dose_of_the_dialog_fits_the_series_description():
    doses = np.concatenate([np.geomspace(0.005, 1.0, 2000), [0.12345, 0.33333, 0.0041234567]])
    for dose in doses:
        for denoised in (False, True):
            text = dose_operation(float(dose), OPERATION_MAX, denoised=denoised)
            assert len(text) <= OPERATION_MAX, text
    assert dose_operation(0.12345, OPERATION_MAX) == "simulated 12.345 % dose"
    assert dose_operation(0.12345, OPERATION_MAX, denoised=True) == (  # half to even
        "simulated 12.34 % dose, denoised"
    )
    assert dose_operation(0.25, OPERATION_MAX, denoised=True) == "simulated 25 % dose, denoised"


@pytest.mark.gui
def test_a_dose_of_five_digits_exports(window, denoise_quickly, settle, small_dicom, tmp_path):
    window.open_file(small_dicom)
    window.simulate_low_dose(LowDoseSettings(dose=0.12345, seed=0))
    settle(window)
    denoise_quickly(window)
    written = pydicom.dcmread(window.export_image(tmp_path / "out.dcm"))
    assert written.SeriesDescription.endswith(" (simulated 12.34 % dose, denoised)")
    assert "simulated 12.345 % dose" in written.DerivationDescription
