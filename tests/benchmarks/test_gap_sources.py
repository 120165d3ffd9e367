"""benchmarks/gap_sources.py on one small SYNTHETIC image with the shipped model."""

import re

import gap_sources
import numpy as np
import pytest
from benchlib import Level, Physics, make_case, phantom_source
from PIL import Image


def test_the_true_detector_has_the_simulations_slope_quanta_and_noise():
    source = phantom_source((64, 64), seed=0)
    case = make_case(source, Level.psnr(30.0), physics=Physics(), seed=[0, 0, 0])
    fit = gap_sources.true_detector(case)
    assert fit.value_per_attenuation == case.detector.value_per_attenuation
    assert fit.electronic_noise == pytest.approx(case.detector.electronic_noise)
    quanta = case.dose * case.detector.photons_per_pixel
    assert fit.counts(np.array([case.detector.value_at_zero_attenuation]))[0] == pytest.approx(
        quanta
    )


def test_one_image_gives_a_row_and_the_means_at_each_level(tmp_path, capsys):
    pixels = phantom_source((64, 64), seed=0).image.pixels
    Image.fromarray(pixels.astype(np.uint16)).save(tmp_path / "phantom.png")
    argv = [str(tmp_path), "--views", "1", "--threads", "1", "--draws", "4", "--noisy-psnr", "30"]
    assert gap_sources.main(argv) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^\| (phantom\.png|\*\*mean\*\*) \|(.+)\|$", out, re.M)
    assert [name for name, _ in rows] == ["phantom.png", "**mean**"]
    cells = [float(c) for c in rows[0][1].split("|")]
    blind, given, gain = cells[:3]
    assert blind > 30 and given > 30 and gain == pytest.approx(given - blind, abs=1.5e-3)
