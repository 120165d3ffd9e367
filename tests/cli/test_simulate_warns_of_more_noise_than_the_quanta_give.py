"""simulate warns where the entered quanta give less noise than the image holds."""

from core.cli import main


def phantom(tmp_path, name, *options):
    path = tmp_path / name
    assert main(["phantom", str(path), "--size", "512", "--compression", "raw", *options]) == 0
    return path


def simulate(tmp_path, source, *options):
    out = tmp_path / "low.dcm"
    args = ["simulate", str(source), "--dose", "0.25", "--seed", "1", "--overwrite"]
    return main([*args, *options, "--output", str(out)])


def test_simulate_warns_of_wrong_entered_settings_on_a_noisy_image(tmp_path, capsys):
    noisy = phantom(tmp_path, "noisy.dcm", "--photons", "20000")
    capsys.readouterr()
    assert simulate(tmp_path, noisy, "--photons", "200000") == 0
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{noisy}: warning: its noise is ") and "\n" not in err
    assert "higher than 25 %" in err and "--noise-free-input" not in err
    assert simulate(tmp_path, noisy, "--photons", "20000", "--noise-free-input") == 0
    err = capsys.readouterr().err.strip()
    assert "said to be noise-free" in err and "\n" not in err
    assert simulate(tmp_path, noisy, "--photons", "20000", "--max-attenuation", "20") == 0
    err = capsys.readouterr().err.strip()
    assert "or the attenuation span 20 looks wrong" in err and "\n" not in err


def test_simulate_does_not_warn_when_measured_or_truly_noise_free(tmp_path, capsys):
    noisy = phantom(tmp_path, "noisy.dcm", "--photons", "20000")
    clean = phantom(tmp_path, "clean.dcm")
    capsys.readouterr()
    assert simulate(tmp_path, noisy) == 0
    assert capsys.readouterr().err == ""
    assert simulate(tmp_path, clean, "--photons", "20000", "--noise-free-input") == 0
    assert capsys.readouterr().err == ""
