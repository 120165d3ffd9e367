"""simulate warns where the measured quanta hang on the electronic noise it assumes."""

from core.cli import main


def test_simulate_warns_where_measured_quanta_hang_on_the_electronic_noise(tmp_path, capsys):
    source = tmp_path / "full.dcm"
    taken = ["--photons", "2000", "--electronic-noise", "12", "--compression", "raw"]
    assert main(["phantom", str(source), "--size", "512", *taken]) == 0
    capsys.readouterr()
    out = tmp_path / "low.dcm"
    assert main(["simulate", str(source), "--dose", "0.25", "--output", str(out)]) == 0
    said = capsys.readouterr()
    assert said.err.startswith(
        f"{source}: warning: the measured quanta depend on the electronic noise assumed, 4 "
    )
    assert said.err.rstrip().endswith("with --electronic-noise") and said.err.count("\n") == 1
    assert "electronic noise 4.0 quanta rms assumed (the measured quanta depend on it)" in said.out
