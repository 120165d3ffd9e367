"""The validation at doses simulates a dose of the image's own: quanta measured from its noise.

A detector of 0.2 mm pixels gets about 2,500 quanta per unattenuated pixel where the
old fixed 50,000 assumed 0.8 mm: its "dose 0.1" was ~11 dB milder than a real 10 % dose.
By default (``--val-photons measured``) each held-out image's quanta are measured from its
noise; where that is refused the default 50,000 is taken, with a log line, and the card
counts how the quanta were chosen, never naming an image.
"""

import json
import logging

import pytest
import torch
from PIL import Image

from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.io import read_image
from core.noise import DEFAULT_PHOTONS_PER_PIXEL, phantom_image
from core.training.__main__ import build_config
from core.training.arguments import training_parser
from core.training.dose_validation import DoseValidator

DETECTOR_QUANTA = 2_500.0


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """A 400 px phantom at 2,500 quanta (its quanta measurable) and a 64 px one (too small)."""
    root = tmp_path_factory.mktemp("quanta")
    Image.fromarray(phantom_image((400, 400), photons_per_pixel=DETECTOR_QUANTA, seed=1)).save(
        root / "large.png"
    )
    Image.fromarray(phantom_image((64, 64), photons_per_pixel=DETECTOR_QUANTA, seed=2)).save(
        root / "small.png"
    )
    return read_image(root / "large.png"), read_image(root / "small.png")


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(0)
    return DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule())


def _noisy_psnr(image, photons, model) -> float:
    validator = DoseValidator(
        [image],
        ["an image"],
        doses=(0.1,),
        photons_per_pixel=photons,
        electronic_noise=4.0,
        crop=64,
        schedule=NoiseSchedule(),
    )
    return validator(model, step=0).scores[0].noisy_psnr, validator


def test_measured_quanta_simulate_the_images_own_dose(images, tiny_model):
    large, _ = images
    measured, validator = _noisy_psnr(large, None, tiny_model)
    assumed, _ = _noisy_psnr(large, DEFAULT_PHOTONS_PER_PIXEL, tiny_model)
    true, _ = _noisy_psnr(large, DETECTOR_QUANTA, tiny_model)
    assert abs(measured - true) < 1.0  # a tenth of the detector's own dose
    assert assumed - measured > 8.0  # where 50,000 assumed made it far milder
    assert validator.settings["photons_per_pixel"] == "measured"
    assert validator.settings["quanta"] == {
        "measured": 1,
        "fallback": 0,
        "fallback_photons_per_pixel": DEFAULT_PHOTONS_PER_PIXEL,
    }


def test_an_image_whose_quanta_cannot_be_measured_takes_the_default(images, tiny_model, caplog):
    _, small = images
    with caplog.at_level(logging.WARNING, logger="core.training.dose_validation"):
        measured, validator = _noisy_psnr(small, None, tiny_model)
    said = [m for m in caplog.messages if "an image" in m and "cannot be measured" in m]
    assert len(said) == 1 and "50000" in said[0]
    assumed, _ = _noisy_psnr(small, DEFAULT_PHOTONS_PER_PIXEL, tiny_model)
    assert measured == assumed
    assert validator.settings["quanta"]["fallback"] == 1
    assert validator.settings["quanta"]["measured"] == 0
    record = validator(tiny_model, step=1).to_json()
    assert "an image" not in json.dumps(record)  # counts only, no image named


def _parse(*options):
    return training_parser("train").parse_args(["data", "--output", "m.safetensors", *options])


def test_measured_is_the_default_and_a_number_forces_it():
    assert build_config(_parse("--val-doses", "0.1")).val_photons is None
    assert build_config(_parse("--val-photons", "Measured")).val_photons is None
    assert build_config(_parse("--val-photons", "2500")).val_photons == 2500.0
