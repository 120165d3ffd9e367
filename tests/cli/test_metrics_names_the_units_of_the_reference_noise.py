"""``metrics`` says what the reference's noise is in: pixel values, as the data range is.

The std and the rms behind the noise-free PSNR are in the units of the pixel values
(after the modality LUT), the units of the data range the PSNR divides by them.
"""

import math

import pytest

from core.cli import main


def test_the_noise_floor_sentence_names_its_units(tmp_path, capsys):
    noisy, clean = tmp_path / "noisy.dcm", tmp_path / "clean.dcm"
    assert main(["phantom", str(noisy), "--size", "384", "--photons", "20000", "--seed", "2"]) == 0
    assert main(["phantom", str(clean), "--size", "384", "--seed", "2"]) == 0
    capsys.readouterr()
    assert main(["metrics", str(noisy), str(clean)]) == 0
    out = capsys.readouterr().out
    data_range = float(out.split("data range ")[1].split(",")[0])
    line = out.strip().splitlines()[-1]
    assert line.startswith("the reference's own noise, in pixel values: std ")
    rms = float(line.split("rms ")[1].split()[0])
    floor = float(line.split("about ")[1].split()[0])
    assert 20 * math.log10(data_range / rms) == pytest.approx(floor, abs=0.01)


def test_the_noise_without_a_floor_names_its_units(png16, capsys):
    assert main(["metrics", str(png16), str(png16)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("the reference's own noise, in pixel values: std ")
    assert "the noise-free image's PSNR against it is unknown: " in line
