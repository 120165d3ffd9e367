"""A blank image (one value throughout) is skipped by name and counted, never validated."""

import logging
import shutil
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from core.diffusion.model import load_model
from core.training.loop import train


def test_blank_images_are_named_counted_and_kept_out_of_the_split(
    image_folder, tmp_path, tiny_config, caplog
):
    data = tmp_path / "data"
    shutil.copytree(image_folder, data)
    for i in range(4):
        Image.fromarray(np.full((48, 48), 60 * i, np.uint8)).save(data / f"flat{i}.png")
    config = replace(tiny_config, data=data, val_fraction=0.5, steps=2)
    with caplog.at_level(logging.WARNING, logger="core.training"):
        train(config)
    named = [r.getMessage() for r in caplog.records if "one value" in r.getMessage()]
    assert len(named) == 4 and all("flat" in line for line in named)
    card = load_model(config.output).card.data
    assert card["skipped"]["constant"] == 4
    assert card["n_images"] == 7  # the six 8-bit PNGs and the 16-bit one


def test_a_folder_of_blank_images_alone_is_refused(tmp_path, tiny_config):
    for i in range(3):
        Image.fromarray(np.full((48, 48), 9, np.uint8)).save(tmp_path / f"flat{i}.png")
    with pytest.raises(ValueError, match="one value throughout"):
        train(replace(tiny_config, data=tmp_path))
