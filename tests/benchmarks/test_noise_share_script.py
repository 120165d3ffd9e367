"""Smoke test of benchmarks/noise_share.py on its smallest case: one seed, one small side."""

import noise_share

COLUMNS = [
    "case",
    "side",
    "bits",
    "taken at",
    "entered",
    "span",
    "seeds",
    "share",
    "tilt",
    "beyond rounding",
]


def cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_a_phantom_at_its_own_quanta_holds_about_their_variance(capsys):
    argv = ["--sizes", "256", "--photons", "20000", "--seeds", "1", "--side", "256"]
    assert noise_share.main(argv) == 0
    header, rule, *rows = capsys.readouterr().out.strip().splitlines()
    assert cells(header) == COLUMNS
    assert len(cells(rule)) == len(COLUMNS)
    table = [cells(line) for line in rows]
    assert all(len(row) == len(COLUMNS) for row in table)
    assert {row[0] for row in table} == {
        "own quanta",
        "wrong quanta",
        "wrong span",
        "noise-free",
        "noise-free smooth",
    }
    (own,) = [row for row in table if row[0] == "own quanta"]
    assert own[1:7] == ["256", "12", "20000", "20000", "7", "1"]
    assert 0.5 < float(own[7]) < 2
