"""benchmarks/low_quanta_readings.py on small phantoms with the shipped model."""

import re

import low_quanta_readings
import numpy as np


def test_the_true_share_reads_stored_uint16_values_as_attenuation():
    clean = np.array([[0, 4095]], dtype=np.uint16)  # line integrals 0 and 7
    assert low_quanta_readings.truly_below_5(clean, 200.0) == 0.5  # 200 and 0.18 quanta
    assert low_quanta_readings.truly_below_5(clean, 6000.0) == 0.0  # 6000 and 5.5 quanta


def test_a_low_dose_row_warns_and_a_high_dose_row_does_not(capsys):
    argv = ["--photons", "200,20000", "--other-noise", "", "--side", "128", "--threads", "1"]
    assert low_quanta_readings.main(argv) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^\| (\d+) \| 4 \| (\d) \| ([\d.]+) % \| (.+) \|$", out, re.M)
    assert len(rows) == 4
    for photons, _, truly, warning in rows:
        if photons == "200":
            assert float(truly) > 10 and re.fullmatch(r"[\d.]+(-[\d.]+)? %", warning)
        else:
            assert float(truly) == 0 and warning.startswith("none")  # none, or not checked
    assert "lead shutters over 12.5 % of the image" in out
    assert re.search(r"512 x 512 at 500 quanta: quanta_detectors [\d.]+ s", out)
