"""simulate and phantom refuse --electronic-noise above the largest, in one line, no file."""

from core.cli import main


def test_1e160_is_refused_not_a_bug(tmp_path, capsys):
    clean = tmp_path / "clean.dcm"
    assert main(["phantom", str(clean), "--size", "128", "--compression", "raw"]) == 0
    capsys.readouterr()
    out = tmp_path / "low.dcm"
    given = ["--dose", "0.5", "--photons", "50000", "--electronic-noise", "1e160"]
    assert main(["simulate", str(clean), *given, "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "xray-denoise: error: the electronic noise must be at most 1000 quanta rms "
        "(a detector's is a few), got 1e+160\n"
    )
    assert not out.exists()
    phantom = tmp_path / "noisy.dcm"
    assert main(["phantom", str(phantom), "--photons", "1000", "--electronic-noise", "1e160"]) == 2
    assert "at most 1000 quanta rms" in capsys.readouterr().err
    assert not phantom.exists()
