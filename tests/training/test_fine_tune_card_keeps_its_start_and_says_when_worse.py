"""A fine-tune's card keeps its starting model's scores; a worse model is said, not kept quiet."""

import json

import pytest

from core.diffusion.model import card_path, load_model
from core.resources import default_model_path
from core.training.__main__ import main
from core.training.loop import validation_change

pytestmark = pytest.mark.usefixtures("restore_logging")


def _args(image_folder, output, *extra):
    return [str(image_folder), "--output", str(output), "--device", "cpu", "--no-progress", *extra]


SHORT = ["--batch-size", "2", "--patch-size", "32", "--warmup-steps", "0", "--val-fraction", "0.3"]


@pytest.mark.slow
def test_a_fine_tune_that_scores_lower_is_warned_of_in_the_log_and_the_card(
    image_folder, tmp_path, capsys
):
    out = tmp_path / "m.safetensors"
    # The shipped model, overtrained at a learning rate far too high: worse on held-out data.
    init = ["--init-model", str(default_model_path()), "--lr", "0.05"]
    assert main(_args(image_folder, out, *init, *SHORT, "--steps", "2", "--val-every", "2")) == 0
    card = load_model(out).card
    start, final = card.validation_start, card.validation
    assert (start["step"], final["step"]) == (0, 2)
    assert start.keys() == final.keys() and len(start["scores"]) == len(final["scores"])
    change = card.validation_change
    assert change["levels"] and change["worse_at"]
    assert change == validation_change(start, final)
    lost = change["worse_at"][0]  # "x1 43 dB: -1.23 dB"
    log = out.with_suffix(".log").read_text()
    assert "WARNING" in log and "below its starting model xray-diffusion" in log and lost in log
    closing = capsys.readouterr().err.strip().splitlines()[-1]
    assert "finished" in closing and "below its starting model" in closing and lost in closing


def test_a_fine_tune_starts_at_a_quarter_of_the_learning_rate_and_names_no_path(
    image_folder, tmp_path
):
    parent, child = tmp_path / "models" / "parent.safetensors", tmp_path / "child.safetensors"
    tiny = ["--architecture", "tiny", "--steps", "1", "--val-every", "0"]
    assert main(_args(image_folder, parent, *tiny, "--batch-size", "2", "--patch-size", "16")) == 0
    fine = ["--init-model", str(parent), "--steps", "1", "--batch-size", "2", "--patch-size", "16"]
    assert main(_args(image_folder, child, *fine, "--val-every", "1")) == 0
    card = load_model(child).card
    settings = card.training["settings"]
    assert settings["lr"] == 5e-5  # a quarter of a fresh run's 2e-4, as the wizard offers
    sha256 = load_model(parent).card.weights_sha256
    assert settings["init_model"] == {"name": "parent", "weights_sha256": sha256}
    assert card.training["started_from"]["name"] == "parent"
    assert card.validation_start["step"] == 0 and card.validation["step"] == 1
    text = card_path(child).read_text()
    assert str(tmp_path) not in text and "parent.safetensors" not in text
    assert str(image_folder) not in text


def test_paths_in_an_older_card_are_not_carried_into_its_fine_tune(image_folder, tmp_path):
    parent, child = tmp_path / "models" / "parent.safetensors", tmp_path / "child.safetensors"
    tiny = ["--architecture", "tiny", "--steps", "1", "--val-every", "0"]
    assert main(_args(image_folder, parent, *tiny, "--batch-size", "2", "--patch-size", "16")) == 0
    # As a wizard-saved fine-tune of older code wrote its card: paths to its own start.
    raw = json.loads(card_path(parent).read_text())
    raw["training"]["settings"]["init_model"] = "/home/user/models/grandparent.safetensors"
    raw["training"]["started_from"] = {
        "file": "C:\\Users\\user\\models\\grandparent.safetensors",
        "training": {"settings": {"init_model": "/home/user/first.safetensors"}},
    }
    card_path(parent).write_text(json.dumps(raw))
    fine = ["--init-model", str(parent), "--steps", "1", "--batch-size", "2", "--patch-size", "16"]
    assert main(_args(image_folder, child, *fine, "--val-every", "0")) == 0
    text = card_path(child).read_text()
    assert "/home/user" not in text and "Users" not in text and ".safetensors" not in text
    lineage = load_model(child).card.training["started_from"]["training"]
    assert lineage["settings"]["init_model"] == {"name": "grandparent"}
    assert lineage["started_from"]["name"] == "grandparent"
    assert lineage["started_from"]["training"]["settings"]["init_model"] == {"name": "first"}


def test_the_change_counts_a_fall_that_shows_at_the_logs_precision():
    def scores(*psnrs):
        levels = ((1.0, 43.0), (2.0, 43.0))
        return [
            {"scale": s, "noisy_psnr_db": n, "psnr": p}
            for (s, n), p in zip(levels, psnrs, strict=True)
        ]

    start = {"step": 0, "scores": scores(40.0, 45.0)}
    change = validation_change(start, {"step": 9, "scores": scores(40.001, 44.0)})
    assert change["worse_at"] == ["x2 43 dB: -1.00 dB"]
    assert [lv["change_db"] for lv in change["levels"]] == [0.001, -1.0]
    assert validation_change(start, {"step": 9, "scores": scores(39.999, 45.0)})["worse_at"] == []
    assert (
        validation_change({}, start) == {} and validation_change(start, {"not_scored": "x"}) == {}
    )
