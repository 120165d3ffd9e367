"""The PDF says what its residual and numbers are in, and names a region by its pixels.

The JSON and CSV keep the region as ``ROW,COL,HEIGHT,WIDTH``, for scripts.
"""

import numpy as np
import pytest

from core.denoise import DenoiseSettings, denoise_image
from core.diffusion import load_model
from core.io import read_image
from core.metrics import Region
from xraygui.analysis import comparisons

pytestmark = pytest.mark.gui


def test_the_pdf_names_the_residual_scale_units_and_region(
    qapp, small_dicom, tiny_model_path, written_report
):
    image = read_image(small_dicom)
    noisy = image.with_pixels(image.pixels + np.random.default_rng(0).normal(0, 9, image.shape))
    settings = DenoiseSettings(device="cpu", views=1, precision="float32")
    result = denoise_image(noisy, load_model(tiny_model_path), settings)
    rows = comparisons(image, noisy, result.image, region=Region(10, 12, 20, 24))
    js, table, pdf = written_report(
        source=image, image=noisy, reference=image, result=result, rows=rows
    )
    spread = float(np.percentile(np.abs(noisy.pixels - result.image.pixels), 99.5))
    assert f"Residual, grey ±{spread:.4g} pixel values (Before - final result)" in pdf
    assert "MSE (pixel values²)" in pdf
    assert "Input noise (estimated std, pixel values): " in pdf
    assert "rows 10-29, cols 12-35" in pdf and "10,12,20,24" not in pdf
    assert js["metrics"][-1]["scope"] == "10,12,20,24" == table[-1]["scope"]
