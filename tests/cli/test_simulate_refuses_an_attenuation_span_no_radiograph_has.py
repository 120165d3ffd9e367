"""simulate refuses --max-attenuation beyond a radiograph's, in one line, writing nothing."""

from core.cli import main


def test_a_span_of_1000_is_refused_before_any_numpy_warning(tmp_path, capsys):
    clean = tmp_path / "clean.dcm"
    assert main(["phantom", str(clean), "--size", "128", "--compression", "raw"]) == 0
    capsys.readouterr()
    out = tmp_path / "low.dcm"
    given = ["--dose", "0.5", "--photons", "1000", "--max-attenuation", "1000"]
    assert main(["simulate", str(clean), *given, "--noise-free-input", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "xray-denoise: error: the maximum attenuation must be at most 20, got 1000"
    )
    assert err.count("\n") == 1 and "encountered" not in err
    assert not out.exists()
