"""The report says when the few-quanta check could not be made, and records it in the CSV."""

import numpy as np
import pytest

from core.denoise import DenoiseSettings, denoise_image
from core.denoise.low_quanta import QUANTA_NOT_CHECKED
from core.diffusion import load_model
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image

pytestmark = pytest.mark.gui


def _image(flat: bool) -> XrayImage:
    if flat:  # white noise of one std: no log detector's
        rng = np.random.default_rng(0)
        ramp = np.linspace(500.0, 3500.0, 96)[None, :] * np.ones((96, 1))
        pixels = np.round(ramp + rng.normal(0.0, 20.0, ramp.shape))
    else:
        pixels = phantom_image((96, 96), photons_per_pixel=5000, seed=1)
    return XrayImage(pixels.astype(np.float32), StoredMapping(12), Window(2048, 4096))


@pytest.mark.parametrize("flat", [True, False])
def test_the_report_records_whether_the_check_was_made(qapp, tiny_model_path, written_report, flat):
    image = _image(flat)
    result = denoise_image(image, load_model(tiny_model_path), DenoiseSettings(views=1))
    js, (row,), pdf = written_report(source=image, image=image, result=result)
    assert js["denoising"]["low_quanta_checked"] is not flat
    assert row["low_quanta_checked"] == str(not flat)
    assert (f"Few-quanta check: {QUANTA_NOT_CHECKED}." in pdf) is flat
