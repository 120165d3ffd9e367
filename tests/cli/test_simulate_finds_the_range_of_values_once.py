"""simulate finds the input's range of values once (a pass over the image) and passes it on.

The range (core.noise.value_range.value_range) was found 4 to 6 times per run: by the
measurement, the detector, the range warning and the description. A counting wrapper
around the real function tells how often it runs; the output is that of a run that
finds it afresh at every step.
"""

import numpy as np
import pytest

import core.cli.simulate
import core.noise.dose
from core.cli import main
from core.io import read_image
from core.noise import LowDoseSettings, describe_simulation, simulate_low_dose_image
from core.noise.value_range import value_range


@pytest.fixture
def passes(monkeypatch):
    """Count the calls of value_range made by the simulation and the CLI."""
    calls = []

    def counted(image):
        calls.append(image.shape)
        return value_range(image)

    for module in (core.noise.dose, core.cli.simulate):
        monkeypatch.setattr(module, "value_range", counted)
    return calls


@pytest.fixture(scope="module")
def full_dose(tmp_path_factory):
    """A 512 px phantom whose quanta can be measured from its noise."""
    source = tmp_path_factory.mktemp("in") / "full.dcm"
    taken = ["--photons", "2000", "--electronic-noise", "4", "--compression", "raw"]
    assert main(["phantom", str(source), "--size", "512", *taken]) == 0
    return source


def test_measured_quanta_take_one_pass_over_the_range(full_dose, tmp_path, passes, capsys):
    out = tmp_path / "low.dcm"
    assert main(["simulate", str(full_dose), "--dose", "0.25", "--output", str(out)]) == 0
    assert "quanta measured from the image's noise" in capsys.readouterr().out
    assert passes == [(512, 512)]


def test_entered_quanta_take_one_pass_and_give_the_same_image(full_dose, tmp_path, passes, capsys):
    out = tmp_path / "low.dcm"
    given = ["--dose", "0.25", "--photons", "2000", "--seed", "3", "--output", str(out)]
    assert main(["simulate", str(full_dose), *given]) == 0
    said = capsys.readouterr().out
    assert passes == [(512, 512)]
    source = read_image(full_dose)
    settings = LowDoseSettings(dose=0.25, photons_per_pixel=2000.0, seed=3)
    afresh = simulate_low_dose_image(source, settings)  # finds the range itself
    np.testing.assert_array_equal(read_image(out).pixels, afresh.pixels)
    assert said == f"{out}: {describe_simulation(source, afresh, settings)}\n"
