"""Smoke test of benchmarks/network_cost.py on a small image."""

import re

import network_cost


def test_prints_each_networks_time_against_the_shipped_one(capsys):
    assert network_cost.main(["--side", "64", "--threads", "1", "--rounds", "2"]) == 0
    rows = re.findall(
        r"^\| (.+?) \| ([\d.]+) \| ([\d.]+)x \| ([\d.]+) M \|$", capsys.readouterr().out, re.M
    )
    names = [row[0] for row in rows]
    assert names == ["shipped", *network_cost.VARIANTS]
    params = {name: float(p) for name, *_, p in rows}
    assert params["shipped"] < params["56 base channels"] < params["64 base channels"]
    assert rows[0][2] == "1.00"


def test_times_the_networks_in_bfloat16_when_asked(capsys):
    argv = ["--side", "64", "--threads", "1", "--rounds", "2", "--precision", "bfloat16"]
    assert network_cost.main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("bfloat16, 1 thread(s)\n") and "| shipped |" in out
