"""The low-quanta warning leads a result's description, so that a DICOM
DerivationDescription, cut at its end to 1024 characters, keeps all of it.

The window writes ``"<simulation>; then <description>"`` for a denoised simulated dose
(:meth:`xraygui.main_window.MainWindow.export_image`); with a long model name the whole
exceeds the VR's length, and the warning at the description's end was cut off.
"""

import pydicom

from core.denoise import DenoiseSettings, denoise_image
from core.diffusion import load_model, save_model
from core.io import read_image, write_image, write_new_dicom
from core.io.dicom_write import NOTICE_PREFIX, ST_MAX
from core.noise import LowDoseSettings, describe_simulation, phantom_image, simulate_low_dose_image

LONG_NAME = (
    "chest-dx-denoiser_finetuned_hospitalA_site3_2026-11-27_epoch200_ema_lr1e-4_bs64_v8"
    "_from-xray-diffusion-1.4_retrained_for_the_2027_reader_study"
)


def test_a_long_simulated_and_denoised_history_keeps_the_whole_warning(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path / f"{LONG_NAME}.safetensors")
    model = load_model(tmp_path / f"{LONG_NAME}.safetensors")
    stored = phantom_image((96, 96), photons_per_pixel=2000, seed=1)
    source = read_image(write_new_dicom(stored, tmp_path / "source.dcm", bits_stored=12))
    dose = LowDoseSettings(dose=0.25, photons_per_pixel=2000, seed=0)  # 500 quanta
    noisy = simulate_low_dose_image(source, dose)
    result = denoise_image(noisy, model, DenoiseSettings(views=1))
    assert result.low_quanta is not None
    warning = f"WARNING: {result.low_quanta.describe()}; denoised by diffusion model {LONG_NAME}"
    assert result.description().startswith(warning)
    history = f"{describe_simulation(source, noisy, dose)}; then {result.description()}"
    assert len(NOTICE_PREFIX + history) > ST_MAX  # cut on writing
    path = write_image(
        result.image,
        tmp_path / "out.dcm",
        description=history,
        operation="simulated 25 % dose, denoised",
        dose=dose.dose,
    )
    written = pydicom.dcmread(path).DerivationDescription
    assert len(written) <= ST_MAX
    assert f"; then {warning}" in written
