"""The session report's JSON, CSV and PDF name the precision the network ran in."""

import csv
import json

import pytest
from PySide6.QtGui import QPainter

from core.denoise import DenoiseSettings, denoise_image
from core.diffusion import load_model
from core.io import read_image
from xraygui.reports import ReportContent, write_report

pytestmark = pytest.mark.gui


def test_every_report_file_names_the_precision(
    qapp, small_dicom, tiny_model_path, tmp_path, monkeypatch
):
    image = read_image(small_dicom)
    settings = DenoiseSettings(device="cpu", views=1, precision="float32")
    result = denoise_image(image, load_model(tiny_model_path), settings)
    drawn = []
    real = QPainter.drawText
    monkeypatch.setattr(
        QPainter, "drawText", lambda painter, *args: drawn.append(args[-1]) or real(painter, *args)
    )
    content = ReportContent.from_session(
        source=image,
        image=image,
        reference=None,
        dose=None,
        result=result,
        rows=[],
        noise=(result.noise_before.sigma, None),
    )
    _, js, table = write_report(content, tmp_path / "report")
    denoising = json.loads(js.read_text(encoding="utf-8"))["denoising"]
    assert denoising["precision"] == "float32 on CPU"
    assert ", 1 view, float32 on CPU; noise estimated" in denoising["description"]
    with table.open(encoding="utf-8-sig", newline="") as file:
        (row,) = csv.DictReader(file)
    assert row["precision"] == "float32 on CPU"
    assert any("network in float32 on CPU" in text for text in drawn)
