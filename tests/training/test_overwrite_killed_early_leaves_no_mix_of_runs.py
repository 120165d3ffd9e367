"""An --overwrite run: refused, it touches nothing; killed early, it leaves the old model usable
and no checkpoint of the old run beside its own metrics."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.training.loop import train

ROOT = Path(__file__).resolve().parents[2]


def _overwrite_args(config, data):
    args = [sys.executable, "-m", "core.training", str(data), "--output"]
    args += [str(config.output), "--overwrite", "--architecture", "tiny", "--seed", "7"]
    args += ["--steps", "100000", "--batch-size", "2", "--patch-size", "16", "--device", "cpu"]
    args += ["--checkpoint-every", "90000", "--val-every", "0", "--log-every", "1"]
    return [*args, "--no-progress", "--threads", "1"]


def _old_run(config):
    train(config)
    paths = (config.checkpoint_path, config.output, config.output.with_suffix(".json"))
    return {path: path.read_bytes() for path in paths}


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.slow
def test_a_killed_overwrite_leaves_the_old_model_and_no_old_checkpoint(tiny_config):
    config = tiny_config
    old = _old_run(config)
    log = config.output.with_suffix(".log")
    process = subprocess.Popen(
        _overwrite_args(config, config.data), cwd=ROOT, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if log.is_file() and "step 2 loss" in log.read_text():  # the new run trains
                break
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before it was killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    records = [json.loads(line) for line in config.metrics_path.read_text().splitlines()[:-1]]
    assert records and all(r["step"] < 1000 for r in records)  # the new run's only
    assert not config.checkpoint_path.exists()  # nothing to resume in the old run's place
    for path in (config.output, config.output.with_suffix(".json")):
        assert path.read_bytes() == old[path], path  # the old model, still a pair


@pytest.mark.usefixtures("restore_logging")
def test_a_refused_overwrite_touches_nothing(tiny_config, tmp_path):
    config = tiny_config
    old = _old_run(config)
    unreadable = tmp_path / "unreadable"
    unreadable.mkdir()
    (unreadable / "bad.png").write_bytes(b"not a PNG")
    done = subprocess.run(
        _overwrite_args(config, unreadable), cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2 and "could be read" in done.stderr
    for path, content in old.items():
        assert path.read_bytes() == content, path
