"""benchmarks/busy_machine.py: one timed denoise of the sample beside a busy process."""

import re

import busy_machine


def test_a_row_per_busy_count_and_spin_count(capsys):
    argv = ["--busy", "1", "--spin", "default", "--repeats", "1", "--threads", "1"]
    assert busy_machine.main(argv) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^\| 1 \| default \| ([\d.]+) \| ([\d.]+) \|$", out, re.M)
    assert len(rows) == 1
    denoise, wall = map(float, rows[0])
    assert 0 < denoise < wall
