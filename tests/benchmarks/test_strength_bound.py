"""Smoke test of benchmarks/strength_bound.py on one tiny SYNTHETIC image."""

import re

import numpy as np
import strength_bound
from benchlib import phantom_source
from PIL import Image


def test_the_best_strength_per_image_bounds_strength_1(tmp_path, capsys):
    pixels = phantom_source((64, 64), seed=0).image.pixels
    Image.fromarray(pixels.astype(np.uint16)).save(tmp_path / "phantom.png")
    assert strength_bound.main([str(tmp_path), "--views", "1", "--threads", "1"]) == 0
    rows = re.findall(
        r"^\| noisy [\d.]+ dB \| ([\d.]+) \| ([\d.]+) \| ([\d.]+)-([\d.]+) \|$",
        capsys.readouterr().out,
        re.M,
    )
    assert len(rows) == 3
    for at_one, best, low, high in np.array(rows, dtype=float):
        assert best >= at_one > 30 and 0 < low <= high < 1
