"""The warning that a lossy-compressed input's noise reads low reaches the app, not stderr alone.

The denoise warns of it as it estimates the noise (:mod:`core.noise.lossy`); in the app that
runs in a worker thread, so the result carries it (:attr:`DenoiseResult.warnings`, without
the file's name) to the panel under the result, to the report's PDF, JSON and CSV, and to
the batch's table, as it carries the few-quanta warning.
"""

import csv
import re

import numpy as np
import pytest
from PIL import Image

from core.errors import XrayWarning
from core.noise import phantom_image
from xraygui.controls import DenoiseOptions
from xraygui.jobs import batch_job

pytestmark = pytest.mark.gui

WARNING = "lossy-compressed (JPEG) input: compression removed fine-scale noise"


@pytest.fixture
def jpeg(tmp_path):
    """An 8-bit 256 px chest phantom at 2000 quanta per pixel, saved at JPEG quality 75."""
    pixels = phantom_image((256, 256), bits_stored=8, photons_per_pixel=2000.0, seed=3)
    folder = tmp_path / "Doe Jane"
    folder.mkdir()
    path = folder / "noisy.jpg"
    Image.fromarray(pixels.astype(np.uint8)).save(path, quality=75)
    return path


def test_the_panel_and_the_report_show_the_warning(
    window, denoise_quickly, jpeg, dialogs, written_report
):
    assert window.open_file(jpeg)
    with pytest.warns(XrayWarning, match=re.escape(WARNING)):  # still warned, as the CLI says it
        denoise_quickly(window)
    result = window.result
    (warning,) = result.warnings
    assert warning.startswith(WARNING)
    assert f"(sigma {result.noise_before.sigma:.3g}) may read low" in warning
    assert window.controls.warning.isVisible()
    assert f"Warning: {warning}." in window.controls.warning.text().splitlines()
    js, (row,), pdf = written_report(source=window.source, image=window.image, result=result)
    assert js["denoising"]["warnings"] == [warning]
    assert row["warnings"] == warning
    assert f"Warning: {warning}." in pdf
    for name in ("noisy", "Doe"):  # a report without identifiers names no file
        assert name not in warning
    assert dialogs == []


def test_the_batch_table_records_the_warning(tmp_path, jpeg, tiny_model_path, drain):
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu")
    with pytest.warns(XrayWarning, match=re.escape(WARNING)):
        summary = drain(batch_job(jpeg.parent, tmp_path / "out", options))
    assert summary.startswith("Batch: 1 of 1 file(s) written")
    assert "warning: 1 with input warnings, such as lossy compression (warnings)" in summary
    with open(tmp_path / "out" / "batch_metrics.csv", encoding="utf-8-sig", newline="") as file:
        (row,) = csv.DictReader(file)
    assert row["warnings"].startswith(WARNING)
