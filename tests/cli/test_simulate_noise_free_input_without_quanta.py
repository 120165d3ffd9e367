"""A noise-free input without --photons is refused, not thinned as if noisy at assumed quanta."""

from core.cli import main


def test_a_noise_free_input_without_photons_exits_2_asking_for_them(tmp_path, capsys):
    clean = tmp_path / "clean.dcm"
    assert main(["phantom", str(clean), "--size", "512", "--compression", "raw"]) == 0
    capsys.readouterr()
    out = tmp_path / "low.dcm"
    assert main(["simulate", str(clean), "--dose", "0.25", "--output", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and f"{clean}: it holds no noise beyond rounding" in err
    assert err.endswith("--photons N0 --noise-free-input")
    assert not out.exists()
    again = ["--photons", "20000", "--noise-free-input", "--output", str(out)]
    assert main(["simulate", str(clean), "--dose", "0.25", *again]) == 0
