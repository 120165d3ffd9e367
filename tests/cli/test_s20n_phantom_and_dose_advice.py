"""Advice a command can follow: no dose above 100 %, no --electronic-noise ignored.

Before, ``phantom --photons 0.5`` (which has no dose option) and ``simulate --photons 0.5
--dose 1`` both advised "a dose of at least 200 %", which every command refuses; and
``phantom --electronic-noise 50`` without ``--photons`` wrote a noise-free phantom silently.
"""

import pytest

from core.cli import main


def test_too_few_quanta_for_any_dose_are_said_so(tmp_path, capsys):
    assert main(["phantom", str(tmp_path / "p.dcm"), "--size", "64", "--photons", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "no dose can: give at least 1 quantum per unattenuated pixel" in err
    assert "200" not in err


def test_a_dose_that_can_leave_a_quantum_is_still_advised(tmp_path, capsys):
    clean = tmp_path / "clean.dcm"
    assert main(["phantom", str(clean), "--size", "64"]) == 0
    out = tmp_path / "low.dcm"
    given = ["--dose", "0.00001", "--photons", "50000", "--noise-free-input"]
    assert main(["simulate", str(clean), *given, "--output", str(out)]) == 2
    assert "choose a dose of at least 0.002 %" in capsys.readouterr().err


@pytest.mark.parametrize("photons", [[], ["--photons", "1000"]])
def test_electronic_noise_needs_quanta(tmp_path, capsys, photons):
    args = ["phantom", str(tmp_path / "p.dcm"), "--size", "64", "--electronic-noise", "50"]
    status = main([*args, *photons])
    if photons:
        assert status == 0
    else:
        assert status == 2
        assert "--electronic-noise needs --photons" in capsys.readouterr().err
