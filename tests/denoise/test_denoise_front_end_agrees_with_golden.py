"""A whole denoise scores today's PSNR after the front end (estimate, maps) was sped up."""

import numpy as np
import pytest

from core.denoise import denoise_image
from core.denoise.settings import DenoiseSettings
from core.metrics import compare
from core.noise import phantom_image

# Scores of the code before the change (192 x 192 12-bit phantom, seed 2, 500 quanta; the
# exact predictor of Gaussian data N(0, 0.05^2), which pulls the image far from itself and
# from the truth, so the maps are exercised well beyond the image's values; 3 steps,
# seed 3; on the CPU). The change gave them bit for bit; the tolerance is the task's, 0.01 dB.
GOLDEN_PSNR = {"ddim": 17.686729365742984, "ddpm": 15.979424134936144}


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
def test_a_whole_denoise_scores_todays_psnr(make_image, gaussian_model, sampler):
    noisy = make_image(phantom_image((192, 192), seed=2, photons_per_pixel=500))
    clean = phantom_image((192, 192), seed=2).astype(np.float32)
    settings = DenoiseSettings(sampler=sampler, seed=3, n_steps=3, device="cpu")
    result = denoise_image(noisy, gaussian_model(0.0, 0.05), settings)
    psnr = compare(clean, result.image.pixels, data_range=4095.0).psnr
    assert psnr == pytest.approx(GOLDEN_PSNR[sampler], abs=0.01)
