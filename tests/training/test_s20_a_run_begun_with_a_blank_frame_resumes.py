"""A run begun before blank frames were left out resumes with the images it was split on.

Before, its resume was refused as "the usable images differ ... 1 removed (blank.png)"
though nothing under the folder had changed; and the no-patient warning counted a blank
frame that is then skipped.
"""

import logging
from dataclasses import replace

import numpy as np
from PIL import Image

from core.training import loop
from core.training.selection import split_to_json


def _folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(6):
        pixels = np.clip(rng.normal(120, 30, (64, 64)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"im{i}.png")
    Image.fromarray(np.full((64, 64), 40, np.uint8)).save(folder / "blank.png")
    return folder


def test_a_split_made_with_a_blank_frame_is_kept_on_resume(tmp_path, tiny_config):
    config = replace(tiny_config, data=_folder(tmp_path))
    files = loop.find_training_files(config.data)
    fresh = loop._prepare_data(config, None, files)
    assert fresh.card["skipped"]["constant"] == 1
    # The split the code before the change stored: every image, the blank one too.
    before = replace(config, data=config.data)
    original = loop._without_constant
    try:
        loop._without_constant = lambda images: (images, 0)
        old = loop._prepare_data(before, None, files)
    finally:
        loop._without_constant = original
    stored = split_to_json(old.selection, config.data)
    resumed = loop._prepare_data(config, stored, files)
    assert resumed.selection.images == old.selection.images


def test_the_no_patient_warning_leaves_blank_frames_out(tmp_path, tiny_config, caplog):
    config = replace(tiny_config, data=_folder(tmp_path))
    with caplog.at_level(logging.WARNING):
        loop._prepare_data(config, None, loop.find_training_files(config.data))
    said = [r.getMessage() for r in caplog.records if "have no patient" in r.getMessage()]
    assert said and "blank.png" not in said[0] and said[0].startswith("6 ")
