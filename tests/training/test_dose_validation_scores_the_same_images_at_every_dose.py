"""Each dose's means are over the same images, and a dose's noise does not hang on the others.

An image that cannot be simulated at one dose is left out at every dose (once, when the
validator is made), so that the per-dose means compare. The simulated noise is seeded by
the dose's value and the image, not by the dose's place in the list.
"""

import logging

import pytest
import torch
from PIL import Image

from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.io import read_image
from core.noise import phantom_image
from core.training.dose_validation import DoseValidator


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    path = tmp_path_factory.mktemp("paired") / "p.png"
    Image.fromarray(phantom_image((64, 64), photons_per_pixel=20_000.0, seed=0)).save(path)
    return read_image(path)


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(0)
    return DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule())


def _validator(image, doses, photons):
    return DoseValidator(
        [image],
        ["p.png"],
        doses=doses,
        photons_per_pixel=photons,
        electronic_noise=4.0,
        crop=48,
        schedule=NoiseSchedule(),
    )


def test_an_image_refused_at_one_dose_is_left_out_at_every_dose(image, tiny_model, caplog):
    with caplog.at_level(logging.WARNING, logger="core.training.dose_validation"):
        validator = _validator(image, (0.001, 0.5), 200.0)  # 0.2 quanta at 0.001: refused
    result = validator(tiny_model, step=0)
    assert [s.n_images for s in result.scores] == [0, 0]
    assert result.n_left_out == 2
    assert any("p.png" in m and "every dose" in m for m in caplog.messages)


def test_a_doses_noise_does_not_change_when_another_dose_is_added(image, tiny_model):
    alone = _validator(image, (0.5,), 20_000.0)(tiny_model, step=0).scores[0]
    among = _validator(image, (0.1, 0.5), 20_000.0)(tiny_model, step=0).scores[1]
    assert among.dose == alone.dose == 0.5
    assert among.noisy_psnr == alone.noisy_psnr
