"""Training validation scores SSIM as the app, the validation at doses and the benchmarks do.

It used scikit-image's defaults (7 x 7 uniform window, sample covariances), which read higher
than core.metrics' Wang et al. 2004 SSIM (11 x 11 Gaussian window, sigma 1.5, population
covariances) on noisy images, and the wizard plots both on one axis.
"""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from core import metrics
from core.diffusion.model import DiffusionModel
from core.diffusion.unet import UNet, UNetConfig
from core.training.validation import DATA_RANGE, NOISY_PSNR_DB, SCALES, Validator


def _images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        np.clip(gaussian_filter(rng.standard_normal((64, 56)), 3) * 3, -1, 1).astype(np.float32)
        for _ in range(2)
    ]


def _expected(validator: Validator, exclude: list[np.ndarray | None]) -> list[float]:
    """Per level, core.metrics' SSIM of the identity denoiser's output, averaged over images."""
    means = []
    for db, _, scale, clean, noisy in validator.cases:
        values = [
            metrics.compare(
                ref.astype(np.float64),
                np.clip(noi, -1, 1).astype(np.float64),
                data_range=DATA_RANGE,
                exclude=exclude[k],
            ).ssim
            for k, (ref, noi) in enumerate(zip(clean[:, 0], noisy[:, 0], strict=True))
        ]
        means.append(((scale, db), float(np.mean(values))))
    return [dict(means)[scale, db] for scale in SCALES for db in NOISY_PSNR_DB]


def test_validation_ssim_is_core_metrics_ssim(schedule_1000):
    # A fresh network predicts eps = 0: its one-step estimate is the noisy crop itself.
    model = DiffusionModel(UNet(UNetConfig.tiny()), schedule_1000)
    validator = Validator(_images(), crop=48, seed=1)
    result = validator(model, step=0)
    expected = _expected(validator, [None, None])
    # scikit-image's defaults read up to 0.05 higher on these noisy crops.
    assert [s.ssim for s in result.scores] == pytest.approx(expected, abs=2e-4)
    assert "Wang et al. 2004" in result.to_json()["ssim"]


def test_validation_ssim_leaves_out_windows_reaching_into_padding(schedule_1000):
    model = DiffusionModel(UNet(UNetConfig.tiny()), schedule_1000)
    padding = np.zeros((64, 56), bool)
    padding[:, :20] = True
    validator = Validator(_images(), crop=48, seed=1, padding=[padding, None])
    result = validator(model, step=0)
    got = [s.ssim for s in result.scores]
    for k in range(len(SCALES)):
        scored = validator.scored[k][0]
        if k == 0:
            assert scored is not None and not scored[:, :12].any()  # the crop's left is padding
        exclude = [None if scored is None else ~scored, None]
        levels = slice(k * len(NOISY_PSNR_DB), (k + 1) * len(NOISY_PSNR_DB))
        # scikit-image's map, averaged over every kept pixel (its windows reaching into the
        # padding), read up to 0.05 higher here.
        assert got[levels] == pytest.approx(_expected(validator, exclude)[levels], abs=1e-4)
