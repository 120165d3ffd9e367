"""``--val-doses`` no image can take are refused; dose options without doses are warned of.

A dose whose dose x photons is under 1 quantum is refused when the command line is read,
in one line with exit status 2. A run whose validation at doses scored no image at a dose
says so at its end. ``--val-photons`` or ``--val-electronic-noise`` without
``--val-doses`` do nothing, and the log says so.
"""

import logging
from dataclasses import replace

from PIL import Image

from core.noise import phantom_image
from core.training.__main__ import main
from core.training.loop import train


def _folder(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    for i in range(3):
        stored = phantom_image((48, 48), photons_per_pixel=20_000.0, seed=i)
        Image.fromarray(stored).save(root / f"p{i}.png")
    return root


def test_a_dose_under_one_quantum_is_refused_in_one_line(tmp_path, capsys):
    output = tmp_path / "m.safetensors"
    options = ["--val-doses", "1e-9,0.001", "--val-photons", "200"]
    status = main([str(tmp_path), "--output", str(output), *options])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "1e-09" in err and "under 1 quantum" in err, err
    assert not output.with_suffix(".log").exists()


def test_a_dose_that_scored_no_image_is_warned_of_at_the_end(tmp_path, tiny_config, caplog):
    config = replace(
        tiny_config,
        data=_folder(tmp_path),
        steps=1,
        val_every=1,
        val_fraction=0.4,
        val_crop=48,
        val_doses=(1e-9, 0.5),  # quanta measured (or the default): 1e-9 leaves none
    )
    with caplog.at_level(logging.WARNING, logger="core.training.loop"):
        train(config)
    said = [m for m in caplog.messages if "scored no held-out image" in m]
    assert len(said) == 1 and "1e-09" in said[0]


def test_photons_and_electronic_noise_without_doses_are_warned_of(tmp_path):
    output = tmp_path / "run" / "m.safetensors"
    args = [str(_folder(tmp_path)), "--output", str(output), "--architecture", "tiny"]
    args += ["--steps", "1", "--batch-size", "2", "--patch-size", "16", "--device", "cpu"]
    args += ["--val-fraction", "0", "--no-progress"]
    status = main([*args, "--val-photons", "2500", "--val-electronic-noise", "8"])
    assert status == 0
    log = output.with_suffix(".log").read_text()
    assert "--val-photons and --val-electronic-noise: no effect without --val-doses" in log
