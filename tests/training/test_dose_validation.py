"""Validation at physical doses through the blind denoise: scores, card, metrics, CLI."""

import copy
import json
import logging
from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image

from core.diffusion.model import DiffusionModel
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.io import read_image
from core.noise import phantom_image
from core.training.__main__ import build_config, main
from core.training.arguments import training_parser
from core.training.config import TrainConfig
from core.training.dose_validation import DoseValidator
from core.training.loop import train

DOSES = (0.1, 0.5)


@pytest.fixture(scope="module")
def phantoms(tmp_path_factory):
    """Four noisy 12-bit phantoms of 64 px (a file each: four patients) and a flat image."""
    root = tmp_path_factory.mktemp("phantoms")
    for i in range(4):
        stored = phantom_image((64, 64), photons_per_pixel=20_000.0, seed=i)
        Image.fromarray(stored).save(root / f"p{i}.png")
    flat = tmp_path_factory.mktemp("flat") / "flat.png"
    Image.fromarray(np.full((64, 64), 1000, dtype=np.uint16)).save(flat)
    return root, flat


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(0)
    return DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule())


def _validator(images, names, **changes):
    settings = {
        "doses": DOSES,
        "photons_per_pixel": 20_000.0,
        "electronic_noise": 4.0,
        "crop": 48,
        "schedule": NoiseSchedule(),
        "seed": 3,
    }
    return DoseValidator(images, names, **(settings | changes))


def test_scores_per_dose_with_fixed_noise_and_refused_images_left_out(phantoms, tiny_model, caplog):
    root, flat = phantoms
    images = [read_image(root / "p0.png"), read_image(flat), read_image(root / "p1.png")]
    with caplog.at_level(logging.WARNING, logger="core.training.dose_validation"):
        validator = _validator(images, ["p0.png", "flat.png", "p1.png"])
    # The flat image holds no noise to estimate: left out at each dose, named, not fatal.
    named = [r.getMessage() for r in caplog.records if "flat.png" in r.getMessage()]
    assert len(named) == len(DOSES) and all("dose" in line for line in named)
    result = validator(tiny_model, step=7)
    assert [s.dose for s in result.scores] == list(DOSES)
    assert all(s.n_images == 2 for s in result.scores)
    assert result.n_left_out == len(DOSES)
    low, high = result.scores
    assert 20 < low.noisy_psnr < high.noisy_psnr < 60  # less dose, more noise
    assert all(np.isfinite([s.psnr, s.ssim]).all() and 0 < s.ssim <= 1 for s in result.scores)
    # The noise is fixed by the seed: a second validator simulates the same inputs.
    again = _validator(images, ["p0.png", "flat.png", "p1.png"])(tiny_model, step=7)
    assert again.scores == result.scores
    other = _validator(images, ["p0.png", "flat.png", "p1.png"], seed=4)(tiny_model, step=7)
    assert other.scores[0].noisy_psnr != low.noisy_psnr
    record = result.to_json()
    assert record["settings"] == {
        "doses": list(DOSES),
        "photons_per_pixel": 20_000.0,
        "electronic_noise": 4.0,
        "seed": 3,
        "crop": 48,
        "views": 1,
    }
    assert "flat" not in json.dumps(record)  # the card holds counts, never a file's name
    assert "0.1 " in result.summary() and "(n=2)" in result.summary()


def test_a_dose_of_one_scores_as_json_without_infinities(phantoms, tiny_model):
    root, _ = phantoms
    result = _validator([read_image(root / "p2.png")], ["p2.png"], doses=(1.0,))(tiny_model, 0)
    score = result.to_json()["scores"][0]
    assert score["noisy_psnr"] is None  # the input is the reference itself
    json.dumps(result.to_json(), allow_nan=False)


def test_a_run_records_the_scores_at_doses_in_the_metrics_and_the_card(phantoms, tmp_path):
    root, _ = phantoms
    config = TrainConfig(
        data=root,
        output=tmp_path / "run" / "model.safetensors",
        device="cpu",
        steps=2,
        batch_size=2,
        patch_size=16,
        warmup_steps=0,
        val_fraction=0.3,
        val_every=2,
        val_crop=48,
        checkpoint_every=2,
        log_every=1,
        progress=False,
        architecture=UNetConfig.tiny(),
        val_doses=DOSES,
        val_photons=20_000.0,
        val_electronic_noise=3.0,
    )
    train(config)
    card = json.loads(config.output.with_suffix(".json").read_text())
    at_doses = card["validation"]["at_doses"]
    assert at_doses["step"] == 2 and "blind denoise" in at_doses["method"]
    assert at_doses["settings"]["doses"] == list(DOSES)
    assert at_doses["settings"]["photons_per_pixel"] == 20_000.0
    assert at_doses["settings"]["electronic_noise"] == 3.0
    assert [s["dose"] for s in at_doses["scores"]] == list(DOSES)
    assert all(s["n_images"] == 1 and s["psnr"] > 20 for s in at_doses["scores"])
    assert card["training"]["settings"]["val_doses"] == list(DOSES)
    records = [json.loads(line) for line in config.metrics_path.read_text().splitlines()]
    scored = [r["validation"]["at_doses"] for r in records if "validation" in r]
    assert scored and scored[-1] == at_doses


def test_without_doses_there_is_no_validation_at_doses(phantoms, tmp_path):
    root, _ = phantoms
    config = TrainConfig(data=root, output=tmp_path / "m.safetensors")
    assert config.val_doses == ()
    restored = TrainConfig.from_config(
        json.loads(json.dumps(replace(config, val_doses=DOSES).to_config()))
    )
    assert restored.val_doses == DOSES


def _parse(*options):
    return training_parser("train").parse_args(["data", "--output", "m.safetensors", *options])


def test_the_command_line_sets_the_doses_the_quanta_and_the_electronic_noise():
    config = build_config(
        _parse("--val-doses", "0.1,0.22,0.5", "--val-photons", "2e4", "--val-electronic-noise", "2")
    )
    assert (config.val_doses, config.val_photons, config.val_electronic_noise) == (
        (0.1, 0.22, 0.5),
        20_000.0,
        2.0,
    )
    assert build_config(_parse("--val-doses", "none")).val_doses == ()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--val-doses", "0,0.5"),
        ("--val-doses", "0.1,1.5"),
        ("--val-doses", "0.1,low"),
        ("--val-doses", "0.2,0.2"),
        ("--val-photons", "0"),
        ("--val-photons", "many"),
        ("--val-photons", "1e13"),
        ("--val-electronic-noise", "-1"),
        ("--val-electronic-noise", "nan"),
    ],
)
def test_bad_dose_options_are_refused_in_one_line(tmp_path, capsys, option, value):
    status = main([str(tmp_path), "--output", str(tmp_path / "m.safetensors"), option, value])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and f"{option} {value}" in err, err
    assert not (tmp_path / "m.log").exists()


def test_a_denoise_that_fails_leaves_its_cases_out_of_that_pass_only(phantoms, tiny_model, caplog):
    root, _ = phantoms
    validator = _validator([read_image(root / "p3.png")], ["p3.png"], doses=(0.2,))
    broken = DiffusionModel(copy.deepcopy(tiny_model.network), tiny_model.schedule)
    with torch.no_grad():
        next(broken.parameters()).fill_(float("nan"))  # its output is not finite: refused
    with caplog.at_level(logging.WARNING, logger="core.training.dose_validation"):
        failed = validator(broken, step=1)
    assert failed.n_left_out == 1 and failed.scores[0].n_images == 0
    assert failed.to_json()["scores"][0]["psnr"] is None
    assert any("p3.png at dose 0.2" in r.getMessage() for r in caplog.records)
    scored = validator(tiny_model, step=2)
    assert scored.n_left_out == 0 and scored.scores[0].n_images == 1
