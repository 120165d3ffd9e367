"""A noise-free input without --photons is refused at any size, not thinned at 50,000 quanta.

Under 512 px a noise-free phantom's texture reads as correlated noise, so the measurement was
refused for that reason and the default quanta assumed: its simulation, labelled 25 %, held
the noise of a 33 % dose. Where its quanta cannot be measured, an image is now refused where
its noise is far under what the default quanta give, or where it is too small to tell.
"""

import pytest

from core.cli import main
from core.cli.simulate import MIN_PIXELS_TO_TELL

ASK = "give the quanta of the full dose it stands for: --photons N0"


def _phantom(path, size, *options):
    assert main(["phantom", str(path), "--size", str(size), "--compression", "raw", *options]) == 0
    return path


def _simulate(source, out, *options):
    return main(["simulate", str(source), "--dose", "0.25", "--output", str(out), *options])


@pytest.mark.parametrize("size", [128, 256])
def test_a_noise_free_phantom_is_refused_without_its_quanta(tmp_path, capsys, size):
    clean = _phantom(tmp_path / "clean.dcm", size)
    capsys.readouterr()
    out = tmp_path / "low.dcm"
    assert _simulate(clean, out) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and f"{clean}: its quanta cannot be measured from its noise" in err
    reason = "it looks noise-free" if size**2 >= MIN_PIXELS_TO_TELL else "too small to tell"
    assert reason in err and ASK in err and "assuming" not in err
    assert not out.exists()
    assert _simulate(clean, out, "--photons", "20000", "--noise-free-input") == 0


@pytest.mark.parametrize(("photons", "seed"), [("5000", 1), ("20000", 2), ("100000", 3)])
def test_a_noisy_phantom_large_enough_to_tell_is_simulated_at_the_default(
    tmp_path, capsys, photons, seed
):
    noisy = _phantom(tmp_path / "noisy.dcm", 256, "--photons", photons, "--seed", str(seed))
    capsys.readouterr()
    assert _simulate(noisy, tmp_path / "low.dcm") == 0
    assert "cannot measure the quanta from its noise" in capsys.readouterr().err


def test_a_noisy_image_too_small_to_tell_is_refused_until_its_quanta_are_given(tmp_path, capsys):
    noisy = _phantom(tmp_path / "noisy.dcm", 128, "--photons", "20000")
    capsys.readouterr()
    assert _simulate(noisy, tmp_path / "low.dcm") == 2
    err = capsys.readouterr().err
    assert "at 128 x 128 pixels it is too small to tell whether it has noise of its own" in err
    assert _simulate(noisy, tmp_path / "low.dcm", "--photons", "20000") == 0
