"""A run's lock and stop file: one process per model, a stop that works on every OS, UTF-8 logs."""

import os
import subprocess
import sys
import time

import pytest

from core.training.__main__ import main
from core.training.checkpoint import read_checkpoint
from core.training.control import (
    STOP_STATUS,
    TrainingLock,
    is_being_trained,
    lock_path,
    request_stop,
    stop_path,
)


def _command(image_folder, output, *extra):
    return [
        sys.executable, "-m", "core.training", str(image_folder), "--output", str(output),
        "--device", "cpu", "--no-progress", "--architecture", "tiny", "--batch-size", "1",
        "--patch-size", "16", "--val-every", "0", "--threads", "1", *extra,
    ]  # fmt: skip


def _wait(condition, what, timeout=120.0):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_second_lock_on_a_model_is_refused_with_the_holders_pid(tmp_path):
    output = tmp_path / "m.safetensors"
    assert not is_being_trained(output)
    with TrainingLock(output):
        assert is_being_trained(output)
        assert lock_path(output).read_text().strip() == str(os.getpid())
        with pytest.raises(ValueError) as refused:
            TrainingLock(output).__enter__()
        assert str(refused.value) == (
            f"{output} is being trained by another process (pid {os.getpid()})"
        )
        assert is_being_trained(output)  # the refusal took nothing away
    assert not is_being_trained(output)


def test_a_stale_stop_file_goes_when_a_run_starts_and_its_own_when_it_ends(tmp_path):
    output = tmp_path / "m.safetensors"
    request_stop(output)  # left from a run that ended before it read it
    with TrainingLock(output) as lock:
        assert not stop_path(output).exists() and not lock.stop_requested()
        request_stop(output)
        assert lock.stop_requested()
    assert not stop_path(output).exists()


@pytest.mark.slow
def test_a_stop_file_stops_a_run_as_sigterm_does_and_a_second_run_is_refused(
    image_folder, tmp_path, capsys
):
    out = tmp_path / "m.safetensors"
    command = _command(image_folder, out, "--steps", "100000", "--checkpoint-every", "5")
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as process:
        try:
            _wait(lambda: (tmp_path / "m.checkpoint.safetensors").is_file(), "a checkpoint")
            assert is_being_trained(out)
            # A second run of the same model, here a resume, is refused in one line.
            assert main([str(image_folder), "--output", str(out), "--resume"]) == 2
            refusal = f"{out} is being trained by another process (pid {process.pid})"
            assert capsys.readouterr().err.strip() == f"python -m core.training: error: {refusal}"
            request_stop(out)
            log = process.stderr.read()
            status = process.wait(timeout=120)
        finally:
            process.kill()
    assert status == STOP_STATUS == 143, log
    assert f"{stop_path(out)}: stopping after this step" in log and "go on with --resume" in log
    assert 5 <= read_checkpoint(tmp_path / "m.checkpoint.safetensors").step < 100000
    assert not stop_path(out).exists() and not is_being_trained(out)


@pytest.mark.slow
def test_a_non_ascii_output_logs_whole_lines_under_a_c_locale(image_folder, tmp_path):
    """As on Windows, where the locale's code page cannot write a user name like this one."""
    out = tmp_path / "Users" / "Łukasz" / "run" / "model.safetensors"
    env = {**os.environ, "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "LC_ALL": "C"}
    command = _command(image_folder, out, "--steps", "4", "--checkpoint-every", "2")
    result = subprocess.run(command, env=env, capture_output=True, timeout=300)
    stderr = result.stderr.decode("utf-8")  # what the wizard reads: UTF-8, whole
    assert result.returncode == 0, stderr
    assert "Logging error" not in stderr and "UnicodeEncodeError" not in stderr
    log = (out.parent / "model.log").read_text("utf-8")
    assert log.count(": checkpoint ") == stderr.count(": checkpoint ") == 2
    assert "ukasz/run/model.checkpoint.safetensors" in log
