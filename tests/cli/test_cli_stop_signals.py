"""SIGTERM and SIGHUP stop the command line as Ctrl-C does: no temporary file, 128 + signal."""

import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core.cli import main
from core.diffusion.model import DiffusionModel, save_model
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Runs the command line, sending itself SIGNAL while the Nth output is being written:
# between the temporary file's last byte and its rename, where a default SIGTERM would
# leave it behind.
SIGNAL_WHILE_WRITING = """
import os, signal, stat, sys
from core.cli import main
sent, fsync = [0], os.fsync
def fsync_and_signal(descriptor):
    if stat.S_ISREG(os.fstat(descriptor).st_mode):
        sent[0] += 1
        if sent[0] == int(sys.argv[2]):
            os.kill(os.getpid(), getattr(signal, sys.argv[1]))
    fsync(descriptor)
os.fsync = fsync_and_signal
sys.exit(main(sys.argv[3:]))
"""


def _default_stop_signals() -> None:
    """In the child: SIGTERM and SIGHUP as a terminal gives them, even where the tests run
    under ``nohup`` or in a background job, which would leave them ignored (and kept so)."""
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


def _run(name: str, nth: int, *arguments: str, **options) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", SIGNAL_WHILE_WRITING, name, str(nth), *arguments]
    options.setdefault("preexec_fn", _default_stop_signals)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **options)


def test_sighup_while_writing_leaves_no_temporary_file_and_exits_129(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    done = _run("SIGHUP", 1, "phantom", str(out / "p.dcm"), "--size", "64")
    assert done.returncode == 128 + signal.SIGHUP
    assert done.stderr == "xray-denoise: interrupted (no file is left half-written)\n"
    assert list(out.iterdir()) == []


def test_a_sighup_that_nohup_ignores_stays_ignored(tmp_path):
    def ignore_sighup():
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    out = tmp_path / "p.dcm"
    done = _run("SIGHUP", 1, "phantom", str(out), "--size", "64", preexec_fn=ignore_sighup)
    assert done.returncode == 0, done.stderr
    assert out.is_file()


def test_sigterm_stops_a_batch_naming_the_inputs_not_done(tmp_path):
    torch.manual_seed(0)
    model = tmp_path / "tiny.safetensors"
    save_model(DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule()), model)
    rng, inputs = np.random.default_rng(0), []
    for name in ("a", "b", "c"):
        inputs.append(tmp_path / f"{name}.png")
        film = rng.normal(120, 8, (64, 64)).clip(0, 255).astype(np.uint8)
        Image.fromarray(film).save(inputs[-1])
    out = tmp_path / "out"
    options = ["--output-dir", str(out), "--model", str(model), "--device", "cpu"]
    done = _run("SIGTERM", 2, "denoise", *map(str, inputs), *options, "--views", "1")
    assert done.returncode == 128 + signal.SIGTERM
    assert done.stderr.splitlines()[-2:] == [
        f"xray-denoise: denoise: stopped after 1 of 3 inputs; not done: {inputs[1]}, {inputs[2]}",
        "xray-denoise: interrupted (no file is left half-written)",
    ]
    assert [p.name for p in out.iterdir()] == ["a.png"]  # b's temporary file removed


def test_the_signal_handlers_are_given_back_after_a_run(tmp_path, capsys):
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    assert main(["phantom", str(tmp_path / "p.dcm"), "--size", "64"]) == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before
    assert Path(capsys.readouterr().out.split(":")[0]).is_file()
