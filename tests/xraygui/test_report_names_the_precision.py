"""The session report's JSON, CSV and PDF name the precision the network ran in."""

import pytest

from core.denoise import DenoiseSettings, denoise_image
from core.diffusion import load_model
from core.io import read_image

pytestmark = pytest.mark.gui


def test_every_report_file_names_the_precision(qapp, small_dicom, tiny_model_path, written_report):
    image = read_image(small_dicom)
    settings = DenoiseSettings(device="cpu", views=1, precision="float32")
    result = denoise_image(image, load_model(tiny_model_path), settings)
    js, (row,), pdf = written_report(source=image, image=image, result=result)
    denoising = js["denoising"]
    assert denoising["precision"] == "float32 on CPU"
    assert ", 1 view, float32 on CPU; noise estimated" in denoising["description"]
    assert row["precision"] == "float32 on CPU"
    assert "network in float32 on CPU" in pdf
