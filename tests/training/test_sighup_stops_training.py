"""SIGHUP (a closed session) stops a training run as SIGTERM does: checkpoint, model, 129."""

import signal
import subprocess
import sys

import pytest

from core.diffusion.model import load_model
from core.training.checkpoint import read_checkpoint

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# ``xray-denoise train`` as the console script runs it, and the wizard's worker process.
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())", "train"]
MODULE = [sys.executable, "-m", "core.training"]


def _start(entry: list[str], folder, out, sighup) -> subprocess.Popen:
    command = [*entry, str(folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    command += ["--steps", "100000", "--batch-size", "1", "--patch-size", "16"]
    command += ["--architecture", "tiny", "--val-every", "0", "--threads", "1"]
    # No periodic checkpoint: the only one is the stop's.
    command += ["--checkpoint-every", "100000"]
    return subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, sighup),
    )


def _signal_once_training(process: subprocess.Popen, *signums: int) -> tuple[int, str]:
    for line in process.stderr:
        if "parameters on" in line:  # training has begun: the handlers are in place
            break
    for signum in signums:
        process.send_signal(signum)
    log = process.stderr.read()
    return process.wait(timeout=120), log


@pytest.mark.parametrize("entry", [CLI, MODULE], ids=["xray-denoise train", "core.training"])
@pytest.mark.slow
def test_sighup_checkpoints_exports_and_exits_129(entry, image_folder, tmp_path):
    out = tmp_path / "m.safetensors"
    with _start(entry, image_folder, out, signal.SIG_DFL) as process:
        status, log = _signal_once_training(process, signal.SIGHUP)
    assert status == 128 + signal.SIGHUP, log
    assert "SIGHUP: stopping after this step" in log
    assert "go on with --resume" in log
    assert "interrupted" not in log  # not the command line's immediate abort
    step = read_checkpoint(tmp_path / "m.checkpoint.safetensors").step
    assert 0 < step < 100000
    assert load_model(out).card.training["steps_done"] == step


@pytest.mark.slow
def test_a_sighup_that_nohup_ignores_does_not_stop_training(image_folder, tmp_path):
    out = tmp_path / "m.safetensors"
    with _start(CLI, image_folder, out, signal.SIG_IGN) as process:
        status, log = _signal_once_training(process, signal.SIGHUP, signal.SIGTERM)
    assert status == 128 + signal.SIGTERM, log
    assert "SIGHUP" not in log
    assert "SIGTERM: stopping after this step" in log
