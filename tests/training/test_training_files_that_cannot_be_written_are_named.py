"""A disk that cannot take a run's files (full, a file-size limit) is named, one line, no bug.

The checkpoint, the lock and the metrics each fail on their own file: the message names it
with the system's reason, the error is one that the command line reports as bad input
(exit 2, not "a bug"), and a checkpoint that cannot be written leaves no temporary file
and keeps the one before.
"""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from core.errors import is_bad_input
from core.training.checkpoint import read_checkpoint
from core.training.loop import _append_metrics

resource = pytest.importorskip("resource", reason="file-size limits are POSIX")
ROOT = Path(__file__).resolve().parents[2]

_SAVE = """
import json, os, resource, sys, torch
from pathlib import Path
from core.diffusion.unet import UNet, UNetConfig
from core.errors import is_bad_input
from core.training.checkpoint import Checkpoint, save_checkpoint
path = Path(sys.argv[1])
net, ema = UNet(UNetConfig.tiny()), UNet(UNetConfig.tiny())
opt = torch.optim.AdamW(net.parameters())
def save(step):
    info = Checkpoint(step=step, config={}, extra={})
    save_checkpoint(path, network=net, ema=ema, optimizer=opt, checkpoint=info)
save(1)
resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size // 2, resource.RLIM_INFINITY))
try:
    save(2)
except Exception as error:
    print(json.dumps([type(error).__name__, str(error), is_bad_input(error)]))
"""

_LOCK = """
import json, resource, sys
from pathlib import Path
from core.errors import error_line, is_bad_input
from core.training.control import TrainingLock
resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
try:
    with TrainingLock(Path(sys.argv[1])):
        pass
except Exception as error:
    print(json.dumps([error_line(error), is_bad_input(error)]))
"""


def _run(code, *args):
    """Run `code` in a fresh interpreter (a file-size limit is the process's); its last line."""
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_checkpoint_the_disk_cannot_take_is_named_and_the_one_before_is_kept(tmp_path):
    path = tmp_path / "m.checkpoint.safetensors"
    kind, message, bad_input = _run(_SAVE, path)
    assert (kind, message, bad_input) == ("ImageWriteError", f"{path}: File too large", True)
    assert os.listdir(tmp_path) == [path.name]  # no temporary file left
    assert read_checkpoint(path).step == 1
    assert path.stat().st_mode & 0o777 == 0o600  # its split names patients


def test_a_lock_the_disk_cannot_take_is_named(tmp_path):
    output = tmp_path / "m.safetensors"
    line, bad_input = _run(_LOCK, output)
    assert (line, bad_input) == (f"{tmp_path / 'm.lock'}: File too large", True)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_metrics_the_disk_cannot_take_are_named(tiny_config, tmp_path):
    config = replace(tiny_config, output=tmp_path / "m.safetensors")
    config.metrics_path.symlink_to("/dev/full")  # every write: No space left on device
    with pytest.raises(OSError) as caught:
        _append_metrics(config, {"step": 1, "loss": 0.5})
    assert caught.value.filename == str(config.metrics_path)
    assert caught.value.strerror == "No space left on device"
    assert is_bad_input(caught.value)
