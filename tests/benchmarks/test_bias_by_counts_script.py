"""benchmarks/bias_by_counts.py on a small phantom with the shipped model."""

import math

import bias_by_counts
import numpy as np


def test_bands_split_the_pixels_by_quanta_and_give_relative_means():
    clean = np.array([[100.0, 100.0], [1000.0, 1000.0]])
    other = np.array([[110.0, 110.0], [990.0, 990.0]])
    quanta = np.array([[60.0, 60.0], [1.0, 1.0]])
    bands = bias_by_counts.band_means(clean, other, quanta)
    assert bands[0][0] == 0.5 and math.isclose(bands[0][1], -0.01)  # 0-2 quanta: 1 % low
    assert bands[-1][0] == 0.5 and math.isclose(bands[-1][1], 0.1)  # 50+: 10 % high
    assert all(share == 0 for share, _ in bands[1:-1])


def test_a_high_dose_phantom_keeps_its_mean(capsys):
    argv = ["--photons", "20000", "--seeds", "1", "--size", "64", "--threads", "1"]
    assert bias_by_counts.main(argv) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 20000")]
    assert len(rows) == 1
    cell = rows[0].strip("|").split("|")[-1].strip()  # the 50+ quanta band: every pixel
    share, means = cell.split(": ")
    assert share == "100.0%"
    assert all(abs(float(v.strip("%"))) < 1.0 for v in means.split(" / "))
