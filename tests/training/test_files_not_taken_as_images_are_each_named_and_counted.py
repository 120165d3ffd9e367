"""Every file not taken as an image is named with its own reason (the first 20, then a
count), and the model card counts them."""

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.training.data import NAMED_NOT_IMAGES, find_images
from core.training.loop import _prepare_data, find_training_files

DICOMDIR_REASON = "a DICOMDIR (the index of a DICOM file-set), not an image"


@pytest.fixture
def folder(tmp_path, write_file_set) -> Path:
    """Two PNGs, a DICOM File-set (its DICOMDIR) and 22 notes: 23 files not images."""
    root = tmp_path / "data"
    write_file_set(root / "media")
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        Image.fromarray((rng.random((24, 24)) * 255).astype(np.uint8)).save(root / f"{name}.png")
    for i in range(22):
        (root / f"note{i:02d}.txt").write_text("not an image\n")
    return root


def test_each_is_named_with_its_reason_up_to_a_count(folder, caplog):
    not_images: list[tuple[Path, str]] = []
    with caplog.at_level(logging.WARNING, logger="core.training.data"):
        images = find_images(folder, not_images=not_images)
    assert sorted(p.name for p in images) == ["IM000000", "a.png", "b.png"]
    assert len(not_images) == 23
    assert (folder / "media" / "DICOMDIR", DICOMDIR_REASON) in not_images
    messages = caplog.messages
    assert messages[0] == f"{folder}: 23 file(s) here are not taken as images"
    named = [m for m in messages if m.startswith("skipping ")]
    assert len(named) == NAMED_NOT_IMAGES == 20
    assert f"skipping {folder / 'media' / 'DICOMDIR'}: {DICOMDIR_REASON}" in named
    assert (
        f"skipping {folder / 'note00.txt'}: a .txt file, not an image (no image suffix, no "
        "DICOM preamble)" in named
    )
    assert messages[-1] == f"{folder}: and 3 more file(s) not taken as images"


def test_the_card_counts_them(folder, tiny_config):
    config = replace(tiny_config, data=folder, val_fraction=0.3)
    files = find_training_files(folder)
    assert len(files.not_images) == 23
    card = _prepare_data(config, files=files).card
    assert card["skipped"]["not_images"] == 23
    assert "DICOMDIR" not in str(card) and "note00" not in str(card)  # counted, never named
