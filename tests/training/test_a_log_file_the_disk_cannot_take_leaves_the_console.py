"""A log file whose disk fills during a run is given up with one line, not a traceback a record.

Python's file handler prints '--- Logging error ---' and a traceback on stderr for each record
it cannot write; a run logging every step on a full disk flooded the console (and the wizard's
log) with them. The run's log file instead closes at its first failed write and one warning
names it with the system's reason; the console goes on with every record.
"""

import errno
import io
import logging
import os
from pathlib import Path

import pytest

from core.training.__main__ import _LogFile, _logging, main

pytestmark = pytest.mark.usefixtures("restore_logging")

FULL = os.strerror(errno.ENOSPC)


class _FullDisk(io.StringIO):
    """A log file's stream on a full disk: every write fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, FULL)


def test_a_failed_write_gives_the_log_file_up_with_one_line(tmp_path, capsys):
    log = logging.getLogger("core.training.loop")
    path = tmp_path / "m.log"
    with _logging() as start_logging:
        start_logging(path)
        log.info("step 1: loss 0.5")
        (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, _LogFile)]
        handler.stream = _FullDisk()
        for step in range(2, 6):
            log.info("step %d: loss 0.5", step)
        assert handler.stream is None  # closed
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    given_up = [line for line in err.splitlines() if "logging to the console only" in line]
    assert len(given_up) == 1
    assert given_up[0].endswith(
        f"WARNING core.training.__main__: {path}: {FULL}; " + "logging to the console only"
    )
    assert all(f"step {step}: loss 0.5" in err for step in range(1, 6))  # none lost there
    assert path.read_text(encoding="utf-8").count("loss") == 1  # not opened again after


class _Broken(io.StringIO):
    """A stream that fails otherwise than the disk: a bug, reported as Python does."""

    def write(self, text: str) -> int:
        raise ValueError("a bug")


def test_other_errors_of_the_log_file_are_reported_as_python_does(tmp_path, capsys):
    log = logging.getLogger("core.training.loop")
    with _logging() as start_logging:
        start_logging(tmp_path / "m.log")
        (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, _LogFile)]
        handler.stream = _Broken()
        log.info("step 1")
        assert isinstance(handler.stream, _Broken)  # kept: not the disk's refusal
    err = capsys.readouterr().err
    assert "Logging error" in err and "ValueError: a bug" in err
    assert "logging to the console only" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_run_whose_log_disk_is_full_trains_and_says_so_once(image_folder, tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    args = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    args += ["--steps", "3", "--batch-size", "2", "--patch-size", "16", "--val-every", "0"]
    args += ["--log-every", "1", "--log-file", "/dev/full"]  # every write: a full disk
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    given_up = [line for line in err.splitlines() if "logging to the console only" in line]
    assert len(given_up) == 1
    assert given_up[0].endswith(f"/dev/full: {FULL}; logging to the console only")
    assert "finished: model" in err
