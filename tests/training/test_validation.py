import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from core.diffusion.model import DiffusionModel
from core.diffusion.unet import UNet, UNetConfig
from core.training.validation import NOISY_PSNR_DB, Validator, sigma_for_psnr


@pytest.fixture
def val_images():
    rng = np.random.default_rng(0)
    return [
        np.clip(gaussian_filter(rng.standard_normal((48, 40)), 4) * 3, -1, 1).astype(np.float32)
        for _ in range(3)
    ]


def test_sigma_for_psnr():
    # PSNR on [0, 1] = -20 log10(sigma_01); the model domain [-1, 1] doubles sigma.
    assert sigma_for_psnr(40.0) == pytest.approx(0.02)
    assert sigma_for_psnr(20.0) == pytest.approx(0.2)


def test_identity_denoiser_scores_the_noisy_input(val_images, schedule_1000):
    # A fresh network predicts eps = 0, so its one-step estimate returns y unchanged.
    model = DiffusionModel(UNet(UNetConfig.tiny()), schedule_1000)
    result = Validator(val_images, crop=32, seed=1)(model, step=7)
    assert result.step == 7 and result.n_images == 3
    assert [(s.scale, s.noisy_psnr_db) for s in result.scores] == [
        (scale, db) for scale in (1.0, 2.0) for db in NOISY_PSNR_DB
    ]
    for score in result.scores:
        assert score.noisy_psnr == pytest.approx(score.noisy_psnr_db, abs=0.5)
        assert score.psnr == pytest.approx(score.noisy_psnr, abs=0.05)  # only clipping differs
        assert 0 < score.ssim < 1
    assert result.to_json()["scores"][0]["psnr"] == result.scores[0].psnr
    assert "x2" in result.summary()


def test_fixed_noise_gives_repeatable_scores(val_images, schedule_1000):
    model = DiffusionModel(UNet(UNetConfig.tiny()), schedule_1000)
    a = Validator(val_images, crop=100, seed=3)(model, step=0)
    b = Validator(val_images, crop=100, seed=3)(model, step=0)
    assert a == b
    with pytest.raises(ValueError, match="no validation images"):
        Validator([], crop=16)


def test_oracle_denoiser_is_perfect(val_images, schedule_1000):
    validator = Validator(val_images, crop=32, seed=0)

    class Oracle(torch.nn.Module):
        """Knows the clean crops: predicts eps exactly."""

        def __init__(self):
            super().__init__()
            self.anchor = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x, t):
            abar = torch.as_tensor(schedule_1000.abar(t.double().numpy())).reshape(-1, 1, 1, 1)
            candidates = [
                (x.double() - abar.sqrt() * torch.from_numpy(clean)) / (1 - abar).sqrt()
                for *_, clean, _ in validator.cases
            ]
            return min(candidates, key=lambda eps: eps.abs().max()).float()

    result = validator(DiffusionModel(Oracle(), schedule_1000), step=0)
    assert all(s.psnr > 60 and s.ssim > 0.999 for s in result.scores)


def test_padding_is_left_out_of_the_scores(val_images, schedule_1000):
    model = DiffusionModel(UNet(UNetConfig.tiny()), schedule_1000)
    padding = np.zeros(val_images[0].shape, bool)
    padding[:, :12] = True
    scores = []
    for fill in (-1.0, 0.3):
        images = [im.copy() for im in val_images]
        images[0][padding] = fill
        validator = Validator(images, crop=32, seed=1, padding=[padding, None, None])
        scores.append([(s.psnr, s.noisy_psnr) for s in validator(model, step=0).scores])
    np.testing.assert_allclose(scores[0], scores[1])
    flat = [im.copy() for im in val_images]
    flat[0][padding] = -1.0
    unmasked = Validator(flat, crop=32, seed=1)(model, step=0).scores
    assert not np.allclose([(s.psnr, s.noisy_psnr) for s in unmasked], scores[0])
