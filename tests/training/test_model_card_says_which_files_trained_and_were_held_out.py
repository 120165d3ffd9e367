"""The model card, which travels with the model, says which files trained it and were held out.

By hash only: the SHA-256 of each file on either side and the data's fingerprint, as the
checkpoint (which stays local, with the paths and patients) has them.
"""

import json
from dataclasses import replace

from core.diffusion.model import ModelCard, card_path, load_model
from core.resources import file_sha256
from core.training.checkpoint import read_checkpoint
from core.training.loop import train


def test_the_card_lists_the_hashes_of_the_training_and_held_out_files(tiny_config):
    config = replace(tiny_config, steps=2)
    train(config)
    text = card_path(config.output).read_text("utf-8")
    hashes = json.loads(text)["data"]["file_hashes"]
    split = read_checkpoint(config.checkpoint_path).extra["split"]
    assert hashes["fingerprint"] == split["fingerprint"]
    for side, stored in (("train", "train"), ("held_out", "val")):
        files = sorted({path for path, _, _ in split[stored]})
        assert files  # both sides have files: the test says something
        expected = sorted(file_sha256(config.data / path) for path in files)
        assert hashes[side] == expected
    assert not set(hashes["train"]) & set(hashes["held_out"])
    for path in split["files"]:  # no file named, nor any patient
        assert path not in text and path.rsplit("/", 1)[-1] not in text
    for _, _, patient in split["train"] + split["val"]:
        assert f'"{patient}"' not in text
    # It loads, as the shipped card, which has no file_hashes, still does.
    assert load_model(config.output).card.data["file_hashes"] == hashes
    shipped = json.loads(card_path("resources/models/xray-diffusion.safetensors").read_text())
    assert "file_hashes" not in ModelCard.from_json(shipped).data
