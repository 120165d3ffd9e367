import dose_measurement
import pytest


def test_prints_the_measured_quanta_and_each_simulations_miss(capsys):
    argv = ["--sizes", "512", "--seeds", "1", "--doses", "0.25"]
    assert dose_measurement.main(argv) == 0
    header, line = capsys.readouterr().out.strip().splitlines()
    assert header.split()[:2] == ["size", "seed"]
    size, seed, quanta, dose, truth, measured, assumed = line.split()
    assert (size, seed, dose) == ("512", "1", "0.25")
    assert float(quanta) == pytest.approx(20_000, rel=0.15)
    assert abs(float(measured)) < 0.5 < float(assumed)
