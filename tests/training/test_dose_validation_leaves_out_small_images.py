"""The validation at doses leaves out images under MIN_SIDE px across, as the Gaussian one does."""

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
from core.training.validation import MIN_SIDE


@pytest.fixture(scope="module")
def phantom(tmp_path_factory):
    path = tmp_path_factory.mktemp("phantom") / "p.png"
    Image.fromarray(phantom_image((48, 48), photons_per_pixel=20_000.0, seed=0)).save(path)
    return read_image(path)


def test_an_image_under_min_side_is_left_out_at_every_dose_and_named(phantom, caplog):
    thin = phantom.with_pixels(phantom.pixels[: MIN_SIDE - 4].copy(), padding=None)
    with caplog.at_level(logging.WARNING, logger="core.training.dose_validation"):
        validator = DoseValidator(
            [phantom, thin],
            ["p.png", "thin.png"],
            doses=[0.2, 0.5],
            photons_per_pixel=20_000.0,
            electronic_noise=4.0,
            crop=48,
            schedule=NoiseSchedule(),
        )
    assert {case.name for case in validator.cases} == {"p.png"}
    assert validator.n_left_out == 2
    (line,) = caplog.messages
    assert line == (
        f"leaving thin.png (48 x {MIN_SIDE - 4} px) out of the validation at doses: "
        f"under {MIN_SIDE} px across, too small to score"
    )
    torch.manual_seed(0)
    model = DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule())
    result = validator(model, step=1)
    assert [s.n_images for s in result.scores] == [1, 1] and result.n_left_out == 2
