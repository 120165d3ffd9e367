"""--resume and --init-model refuse options that they would otherwise ignore (exit 2, one line)."""

import hashlib
from dataclasses import replace

import pytest

from core.diffusion.unet import UNetConfig
from core.training.__main__ import build_config, main
from core.training.arguments import training_parser
from core.training.loop import train

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def finished(tiny_config):
    """A finished tiny run of 4 steps: its config, and its model's SHA-256."""
    train(tiny_config)
    return tiny_config, hashlib.sha256(tiny_config.output.read_bytes()).hexdigest()


def _args(config, *more: str) -> list[str]:
    return [str(config.data), "--output", str(config.output), "--device", "cpu", *more]


@pytest.mark.parametrize(
    ("more", "said"),
    [
        (["--overwrite"], "--resume and --overwrite exclude each other"),
        (["--init-model", "{model}"], "--resume and --init-model exclude each other"),
        (["--architecture", "standard"], "--architecture standard: the checkpoint is another"),
        (["--blocks-per-level", "3"], "--blocks-per-level 3: the checkpoint has 1"),
        (["--base-channels", "16"], "--base-channels 16: the checkpoint has 8"),
    ],
)
def test_resume_refuses_options_it_would_ignore(finished, capsys, more, said):
    config, sha = finished
    more = [m.format(model=config.output) for m in more]
    assert main(_args(config, "--resume", "--no-progress", *more)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err
    assert hashlib.sha256(config.output.read_bytes()).hexdigest() == sha


def test_resume_refuses_fewer_steps_than_done(finished, capsys):
    config, sha = finished
    assert main(_args(config, "--resume", "--steps", "2", "--no-progress")) == 2
    err = capsys.readouterr().err
    assert "it has done 4 of 4; give more steps than 4" in err
    assert "is finished" not in err
    assert hashlib.sha256(config.output.read_bytes()).hexdigest() == sha


def test_resume_takes_the_options_the_wizard_gives(finished):
    config, _ = finished
    wizard = ["--steps", "4", "--log-every", "1", "--val-every", "2", "--checkpoint-every", "2"]
    wizard += ["--val-doses", "0.1,0.22", "--val-electronic-noise", "4", "--no-progress"]
    wizard += ["--resume"]
    for same in ([], ["--architecture", "tiny"]):
        args = training_parser("t").parse_args(_args(config, *wizard, *same))
        assert build_config(args).architecture == UNetConfig.tiny()


def test_init_model_refuses_another_architecture(finished, tmp_path, capsys):
    config, _ = finished
    out = tmp_path / "ft" / "m.safetensors"
    args = [str(config.data), "--output", str(out), "--device", "cpu"]
    assert main([*args, "--init-model", str(config.output), "--architecture", "standard"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--architecture standard: the model is another network" in err[0]
    assert not out.parent.exists()
    same = training_parser("t").parse_args(
        [*args, "--init-model", str(config.output), "--architecture", "tiny", "--mid-blocks", "2"]
    )
    assert build_config(same).architecture == replace(UNetConfig.tiny(), mid_blocks=2)
