import os
import signal
import socket
import subprocess
import sys

import pytest

from core.diffusion.model import load_model
from core.training.__main__ import main
from core.training.checkpoint import read_checkpoint

pytestmark = pytest.mark.usefixtures("restore_logging")


def _args(image_folder, output, *extra):
    return [str(image_folder), "--output", str(output), "--device", "cpu", "--no-progress", *extra]


def test_cli_trains_and_resumes_with_stored_settings(image_folder, tmp_path):
    out = tmp_path / "m.safetensors"
    first = ["--steps", "2", "--batch-size", "2", "--patch-size", "16", "--seed", "3"]
    first += ["--lr", "5e-5", "--warmup-steps", "0", "--binning", "2"]
    assert main(_args(image_folder, out, *first, "--val-every", "0")) == 0
    settings = load_model(out).card.training["settings"]
    assert (settings["seed"], settings["lr"], settings["warmup_steps"]) == (3, 5e-5, 0)
    assert settings["binning"] == 2
    assert (tmp_path / "m.log").read_text().count("checkpoint") >= 1
    # Resume: only the new horizon is given; batch, patch and seed come from the checkpoint.
    assert main(_args(image_folder, out, "--resume", "--steps", "3")) == 0
    stored = read_checkpoint(tmp_path / "m.checkpoint.safetensors")
    assert stored.step == 3
    assert (stored.config["batch_size"], stored.config["seed"], stored.config["binning"]) == (
        2,
        3,
        2,
    )


def test_cli_sets_the_noise_levels_training_focuses_on(image_folder, tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    short = ["--steps", "1", "--batch-size", "2", "--patch-size", "16", "--val-every", "0"]
    focus = ["--focus-fraction", "0.9", "--focus-sigma", "0.004", "0.15"]
    assert main(_args(image_folder, out, *short, *focus)) == 0
    stored = load_model(out).card.training["settings"]["timesteps"]
    assert stored == {"focus_fraction": 0.9, "focus_sigma": [0.004, 0.15]}
    # A resumed run keeps them: not given, they come from the checkpoint; changed, refused.
    assert main(_args(image_folder, out, "--resume", "--steps", "2")) == 0
    resumed = read_checkpoint(tmp_path / "m.checkpoint.safetensors")
    assert resumed.step == 2 and resumed.config["timesteps"] == stored
    log = (tmp_path / "m.log").read_text()
    changed = main(_args(image_folder, out, "--resume", "--steps", "3", "--focus-fraction", "0.8"))
    assert changed == 2
    assert "settings differ in timesteps" in capsys.readouterr().err
    assert (tmp_path / "m.log").read_text() == log  # refused before the log


def test_cli_deepens_a_model_it_fine_tunes(image_folder, tmp_path):
    parent, child = tmp_path / "p.safetensors", tmp_path / "c.safetensors"
    short = ["--steps", "1", "--batch-size", "2", "--patch-size", "16", "--val-every", "0"]
    tiny = ["--architecture", "tiny", "--blocks-per-level", "2"]
    assert main(_args(image_folder, parent, *short, *tiny)) == 0
    assert load_model(parent).network.config.blocks_per_level == 2
    deeper = ["--init-model", str(parent), "--mid-blocks", "3"]
    assert main(_args(image_folder, child, *short, *deeper)) == 0
    grown = load_model(child).network.config
    assert (grown.base_channels, grown.blocks_per_level, grown.mid_blocks) == (8, 2, 3)
    shallower = ["--init-model", str(parent), "--blocks-per-level", "1"]
    assert main(_args(image_folder, tmp_path / "s.safetensors", *short, *shallower)) == 2


def test_cli_sets_the_width_of_a_fresh_run_only(image_folder, tmp_path, capsys):
    short = ["--steps", "1", "--batch-size", "2", "--patch-size", "16", "--val-every", "0"]
    wide = tmp_path / "wide.safetensors"
    assert (
        main(_args(image_folder, wide, *short, "--architecture", "tiny", "--base-channels", "12"))
        == 0
    )
    assert load_model(wide).network.config.base_channels == 12
    other = ["--init-model", str(wide), "--base-channels", "16"]
    assert main(_args(image_folder, tmp_path / "o.safetensors", *short, *other)) == 2
    assert (
        "the model has 12, and a trained network's width cannot change" in capsys.readouterr().err
    )
    same = ["--init-model", str(wide), "--base-channels", "12"]
    assert main(_args(image_folder, tmp_path / "s.safetensors", *short, *same)) == 0


def test_cli_holds_out_the_fraction_asked_and_draws_in_workers(image_folder, tmp_path):
    out = tmp_path / "m.safetensors"
    short = ["--steps", "2", "--batch-size", "2", "--patch-size", "16", "--val-every", "0"]
    assert main(_args(image_folder, out, *short, "--val-fraction", "0", "--workers", "1")) == 0
    card = load_model(out).card
    assert card.training["settings"]["val_fraction"] == 0
    data = card.data
    assert (data["n_val_images"], data["n_train_images"]) == (0, data["n_images"])
    # The broken PNG, not in n_images.
    assert data["skipped"] == {"unreadable": 1, "too_small": 0, "constant": 0, "not_images": 0}
    assert "drawing patches in 1 worker processes" in (tmp_path / "m.log").read_text()


def test_cli_reports_errors(image_folder, tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert main(_args(image_folder, out, "--resume")) == 2
    assert main(_args(image_folder, out, "--patch-size", "20")) == 2
    assert "multiple of 16" in capsys.readouterr().err
    assert main(_args(image_folder, out, "--lr", "0")) == 2
    assert "lr must be a positive number" in capsys.readouterr().err
    assert main(_args(image_folder, out, "--focus-fraction", "1.5")) == 2
    assert "focus_fraction must lie in [0, 1]" in capsys.readouterr().err
    assert main(_args(image_folder, out, "--focus-sigma", "0.2", "0.1")) == 2
    assert "focus_sigma must satisfy 0 < low <= high" in capsys.readouterr().err
    assert main(_args(image_folder, out, "--val-fraction", "1")) == 2
    assert "val_fraction must lie in [0, 1)" in capsys.readouterr().err
    assert main(_args(image_folder, out, "--workers", "-1")) == 2
    assert "workers must be at least 0" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_bug_is_one_line_on_the_console_and_a_traceback_in_the_log(
    image_folder, tmp_path, capsys, monkeypatch
):
    import core.training.__main__ as cli

    def broken_train(config, **_):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cli, "train", broken_train)
    out = tmp_path / "m.safetensors"
    assert main(_args(image_folder, out, "--steps", "1")) == 1
    console = capsys.readouterr().err
    assert "training stopped: unexpected RuntimeError at test_main.py:" in console
    assert "Traceback" not in console
    log = (tmp_path / "m.log").read_text()
    assert "simulated bug" in log and "Traceback (most recent call last)" in log


def test_an_output_under_a_file_is_one_line(image_folder, tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    assert main(_args(image_folder, blocker / "m.safetensors", "--steps", "1")) == 2
    refusal = f"{blocker} is a file, not a folder: {blocker / 'm.safetensors'} cannot be written"
    assert capsys.readouterr().err.strip() == f"python -m core.training: error: {refusal}"


@pytest.mark.slow
def test_ddp_two_processes(image_folder, tmp_path):
    """Two ranks over gloo, as torchrun launches them: rank 0 alone writes."""
    out = tmp_path / "ddp.safetensors"
    env = {
        **os.environ,
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(_free_port()),
        "WORLD_SIZE": "2",
        "OMP_NUM_THREADS": "1",
    }
    cmd = [sys.executable, "-m", "core.training", *_args(image_folder, out)]
    cmd += ["--steps", "2", "--batch-size", "1", "--patch-size", "16", "--threads", "1"]
    procs = [
        subprocess.Popen(
            cmd, env={**env, "RANK": str(r), "LOCAL_RANK": str(r)}, stderr=subprocess.PIPE
        )
        for r in range(2)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    card = load_model(out).card
    assert card.training["world_size"] == 2 and card.training["steps_done"] == 2
    assert "[rank 1]" in errors[1] and "[rank 1]" not in (tmp_path / "ddp.log").read_text()


def test_cli_refuses_to_replace_a_model_unless_told(image_folder, tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    short = ["--steps", "1", "--batch-size", "2", "--patch-size", "16", "--val-every", "0"]
    short += ["--architecture", "tiny"]
    assert main(_args(image_folder, out, *short)) == 0
    (tmp_path / "m.checkpoint.safetensors").unlink()
    weights = out.read_bytes()
    capsys.readouterr()
    assert main(_args(image_folder, out, *short, "--seed", "1")) == 2
    refusal = f"{out} exists; choose another output or replace it (--overwrite)"
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(refusal)
    assert out.read_bytes() == weights
    assert main(_args(image_folder, out, *short, "--seed", "1", "--overwrite")) == 0
    assert out.read_bytes() != weights


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--threads", "0"], "--threads 0: give 1 or more"),
        (["--device", "gpu"], "device gpu: use auto, cpu, cuda, cuda:N or mps"),
    ],
)
def test_bad_threads_or_device_are_one_line(image_folder, tmp_path, capsys, extra, message):
    assert main(_args(image_folder, tmp_path / "m.safetensors", *extra)) == 2
    assert capsys.readouterr().err.strip() == f"python -m core.training: error: {message}"


def test_an_output_that_is_a_folder_or_not_safetensors_is_one_line(image_folder, tmp_path, capsys):
    assert main(_args(image_folder, tmp_path / "m.png", "--steps", "1")) == 2
    refusal = f"output {tmp_path / 'm.png'} must be a .safetensors file"
    assert capsys.readouterr().err.strip() == f"python -m core.training: error: {refusal}"
    folder = tmp_path / "f.safetensors"
    folder.mkdir()
    assert main(_args(image_folder, folder, "--steps", "1")) == 2
    assert "is a folder; name a file MODEL.safetensors" in capsys.readouterr().err
    assert not (tmp_path / "f.checkpoint.safetensors").exists()


@pytest.mark.slow
def test_a_refused_run_writes_nothing_and_says_so_as_the_cli_does(tmp_path):
    out = tmp_path / "runs" / "m.safetensors"
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "train", str(tmp_path / "none"), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"xray-denoise: error: {tmp_path / 'none'} is not a folder"
    assert not (tmp_path / "runs").exists()  # no folder, no log


def test_a_refused_fresh_run_leaves_no_log_beside_the_model(image_folder, tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    out.write_bytes(b"a model")
    assert main(_args(image_folder, out, "--steps", "1")) == 2
    assert "exists; choose another output" in capsys.readouterr().err
    assert not (tmp_path / "m.log").exists()


@pytest.mark.slow
def test_a_stopped_run_checkpoints_and_exits_128_plus_the_signal(image_folder, tmp_path):
    out = tmp_path / "m.safetensors"
    command = [sys.executable, "-m", "core.training", *_args(image_folder, out)]
    command += ["--steps", "100000", "--batch-size", "1", "--patch-size", "16"]
    command += ["--architecture", "tiny", "--val-every", "0", "--threads", "1"]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as process:
        for line in process.stderr:
            if "parameters on" in line:  # training has begun: the handlers are in place
                break
        process.send_signal(signal.SIGTERM)
        log = process.stderr.read()
        status = process.wait(timeout=120)
    assert status == 128 + signal.SIGTERM, log
    assert "go on with --resume" in log
    assert read_checkpoint(tmp_path / "m.checkpoint.safetensors").step < 100000
