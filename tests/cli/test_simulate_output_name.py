"""``simulate --output``: a name the input's format cannot be written as is refused first."""

import pytest

import core.cli.simulate
from core.cli import main


@pytest.mark.parametrize("name", ["low", "low."])
def test_an_output_without_the_formats_extension_is_refused_before_simulating(
    ct, tmp_path, capsys, monkeypatch, name
):
    def never(*args, **kwargs):
        raise AssertionError("simulated before the output name was checked")

    monkeypatch.setattr(core.cli.simulate, "simulate_low_dose_image", never)
    out = tmp_path / name
    assert main(["simulate", str(ct), "--dose", "0.5", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(out) in err and "a DICOM input is written as .dcm or .dicom" in err
    assert not out.exists()
