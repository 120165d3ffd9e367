"""Files whose header reads but whose pixels do not decode are left out of the warning of
images without a patient: they are skipped as unreadable, not images that train."""

import io
import logging
from dataclasses import replace

import numpy as np
from PIL import Image

from core.training.loop import train


def test_cut_files_are_neither_counted_nor_named_as_images_without_patient(
    tmp_path, tiny_config, caplog
):
    rng = np.random.default_rng(0)
    for i in range(4):
        field = rng.integers(0, 255, (48, 48), dtype=np.uint8)
        Image.fromarray(field).save(tmp_path / f"im{i}.png")
    whole = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (128, 128), dtype=np.uint8)).save(whole, "PNG")
    (tmp_path / "a_cut.png").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with caplog.at_level(logging.WARNING, logger="core.training"):
        train(replace(tiny_config, data=tmp_path, steps=1))
    assert "skipping unreadable image" in caplog.text and "a_cut.png" in caplog.text
    (line,) = [r.getMessage() for r in caplog.records if "have no patient" in r.getMessage()]
    assert line.startswith("4 image files have no patient") and "such as im0.png" in line
