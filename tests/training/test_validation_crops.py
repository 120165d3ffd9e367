"""Validation crops each image at its own size; images too small to score are left out."""

import logging

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.training.validation import MIN_SIDE, Validator


class _Shrink(torch.nn.Module):
    """Predicts eps = x / 2: a fixed, cheap denoiser with exact arithmetic."""

    def __init__(self):
        super().__init__()
        self.anchor = torch.nn.Parameter(torch.zeros(()))  # gives the model a device

    def forward(self, x, t):
        return 0.5 * x


@pytest.fixture(scope="module")
def model():
    return DiffusionModel(_Shrink(), NoiseSchedule())


def _images(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [
        np.clip(gaussian_filter(rng.standard_normal(s), 4) * 3, -1, 1).astype(np.float32)
        for s in shapes
    ]


def test_a_small_image_leaves_the_others_their_full_crop(model):
    validator = Validator(_images(*[(48, 40)] * 3, (20, 24)), crop=32, seed=1)
    assert validator.crops == (32, 32, 32, 20)
    assert sorted({case[3].shape for case in validator.cases}) == [(1, 1, 20, 20), (3, 1, 32, 32)]
    result = validator(model, step=5)
    assert (result.n_images, result.n_left_out, result.crops) == (4, 0, (32, 32, 32, 20))
    recorded = result.to_json()
    assert recorded["crop_sides"] == {"32": 3, "20": 1} and recorded["n_left_out"] == 0
    assert all(np.isfinite([s.psnr, s.ssim, s.noisy_psnr]).all() for s in result.scores)


def test_an_image_under_the_floor_is_left_out_by_name_and_never_crashes(model, caplog):
    images = _images((48, 40), (40, 44), (6, 6))
    names = ["a.png", "b.png", "thumb.png"]
    with caplog.at_level(logging.WARNING, logger="core.training.validation"):
        validator = Validator(images, crop=256, seed=0, names=names)
    assert [r.getMessage() for r in caplog.records] == [
        f"leaving thumb.png (6 x 6 px) out of validation: under {MIN_SIDE} px across, "
        "too small to score"
    ]
    result = validator(model, step=1)  # SSIM's 7 px window never sees the 6 px image
    assert (result.n_images, result.n_left_out, result.crops) == (2, 1, (40, 40))
    assert result.to_json()["crop_sides"] == {"40": 2}


def test_only_images_under_the_floor_are_refused_in_one_line():
    with pytest.raises(ValueError, match=r"none of the 2 held-out images is 16 px") as caught:
        Validator(_images((10, 10), (12, 30)), crop=32)
    assert "validation image 1 of 2 (10 x 10 px)" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_images_larger_than_the_crop_score_as_before(model):
    # Golden numbers of the validator before crops were per image (all images >= the crop):
    # the same noise draws, crops and batches, so the same scores.
    # SSIM since as core.metrics scores it (Wang et al. 2004, 11 x 11 Gaussian window) in place
    # of scikit-image's default 7 x 7 uniform window: 0.005-0.06 lower here.
    images = _images((48, 40), (60, 52), (40, 44))
    padding = np.zeros((60, 52), bool)
    padding[:, :10] = True
    validator = Validator(images, crop=32, seed=2, padding=[None, padding, None])
    result = validator(model, step=3)
    golden = [
        (42.96862626658213, 0.9792430646952521, 42.9450558795394),
        (36.017786485058764, 0.910183748953047, 35.938448309133236),
        (30.165035378507792, 0.7233787601188996, 29.964262192186414),
        (43.155285642663785, 0.9650228637155722, 43.1470325210416),
        (36.06653523910921, 0.8440841523800047, 35.98410797979515),
        (30.139254244221878, 0.5817819977477765, 29.916732203968362),
    ]
    for score, (psnr, ssim, noisy_psnr) in zip(result.scores, golden, strict=True):
        assert (score.psnr, score.ssim, score.noisy_psnr) == pytest.approx(
            (psnr, ssim, noisy_psnr), rel=1e-6
        )
    assert result.to_json()["crop_sides"] == {"32": 3}
