"""Smoke test of benchmarks/error_by_counts.py on one tiny SYNTHETIC image."""

import re

import error_by_counts
import numpy as np
from benchlib import phantom_source
from PIL import Image


def test_tables_split_the_error_by_deciles_of_quanta(tmp_path, capsys):
    pixels = phantom_source((64, 64), seed=0).image.pixels
    Image.fromarray(pixels.astype(np.uint16)).save(tmp_path / "phantom.png")
    assert error_by_counts.main([str(tmp_path), "--views", "1", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("| quanta per pixel |") == 3
    for block in out.split("\nnoisy ")[1:]:
        rows = re.findall(r"^\| [\d.]+-[\d.]+ \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", block, re.M)
        assert len(rows) == 10
        shares = np.array(rows, dtype=float)
        np.testing.assert_allclose(shares[:, :2].sum(axis=0), 1.0, atol=0.01)
        assert np.all(shares[:, 2] > 0)


def test_an_empty_folder_is_a_one_line_error(tmp_path, capsys):
    assert error_by_counts.main([str(tmp_path)]) == 2
    assert "no readable image" in capsys.readouterr().err
