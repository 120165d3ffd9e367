"""Smoke test of benchmarks/error_by_counts.py on one tiny SYNTHETIC image."""

import re

import error_by_counts
import numpy as np
import pytest
from benchlib import counts_of, make_case, phantom_source
from denoise_bench import chosen_levels, chosen_physics, load_sources, parse_args
from PIL import Image


@pytest.fixture
def phantom_folder(tmp_path):
    """A folder holding one 64 px phantom as a 16-bit PNG."""
    pixels = phantom_source((64, 64), seed=0).image.pixels
    Image.fromarray(pixels.astype(np.uint16)).save(tmp_path / "phantom.png")
    return tmp_path


def test_tables_split_the_error_by_deciles_of_quanta(phantom_folder, capsys):
    assert error_by_counts.main([str(phantom_folder), "--views", "1", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("| quanta per pixel |") == 3
    for block in out.split("\nnoisy ")[1:]:
        rows = re.findall(r"^\| [\d.]+-[\d.]+ \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", block, re.M)
        assert len(rows) == 10
        shares = np.array(rows, dtype=float)
        np.testing.assert_allclose(shares[:, :2].sum(axis=0), 1.0, atol=0.01)
        assert np.all(shares[:, 2] > 0)


def test_the_bins_span_the_quanta_detected_at_the_dose(phantom_folder, capsys):
    argv = [str(phantom_folder), "--views", "1", "--threads", "1"]
    assert error_by_counts.main(argv) == 0
    spans = re.findall(r"^\| ([\d.]+)-([\d.]+) \|", capsys.readouterr().out, re.M)
    args = parse_args(argv)
    (source,) = load_sources(args)
    for j, level in enumerate(chosen_levels(args)):
        case = make_case(source, level, physics=chosen_physics(args), seed=[args.seed, 0, j])
        quanta = counts_of(case, case.clean.pixels)
        printed = float(spans[10 * j][0]), float(spans[10 * j + 9][1])
        np.testing.assert_allclose(printed, (quanta.min(), quanta.max()), rtol=0.01, atol=0.01)


def test_an_empty_folder_is_a_one_line_error(tmp_path, capsys):
    assert error_by_counts.main([str(tmp_path)]) == 2
    assert "no readable image" in capsys.readouterr().err
