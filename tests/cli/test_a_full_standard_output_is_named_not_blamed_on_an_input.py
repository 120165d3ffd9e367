"""Standard output that refuses a line (a full disk under ``> run.log``) is named as such.

Each denoise output written was reported as failed and blamed on its input (``error:
in/a.png: [Errno 28] No space left on device``), counted twice in the summary; with --json the
batch stopped at an unnamed ``[Errno 28]``; metrics, info and simulate said only ``error:
[Errno 28] ...``. Now a batch goes on and counts its outputs as they are, and every subcommand
ends with ``xray-denoise: error: standard output: <the reason>``, after the summary, exit 2.
"""

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.cli import main

PROG = "xray-denoise"
FULL = os.strerror(errno.ENOSPC)
NAMED = f"{PROG}: error: standard output: {FULL}"
ROOT = Path(__file__).resolve().parents[2]


class _FullDisk(io.StringIO):
    """Standard output redirected to a full disk: every write fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, FULL)


@pytest.fixture
def on_full_stdout(capsys, monkeypatch):
    """Run ``main`` with stdout on a full disk; return its status and its stderr's lines.

    Stdout is replaced within the test (pytest puts its own back once the fixtures are set).
    """

    def run(arguments):
        monkeypatch.setattr(sys, "stdout", _FullDisk())
        status = main([str(argument) for argument in arguments])
        return status, capsys.readouterr().err.splitlines()

    return run


@pytest.fixture
def films(tmp_path):
    rng = np.random.default_rng(1)
    paths = [tmp_path / "in" / f"{name}.png" for name in ("a", "b")]
    paths[0].parent.mkdir()
    for path in paths:
        Image.fromarray(rng.normal(120, 8, (64, 64)).clip(0, 255).astype(np.uint8)).save(path)
    return paths


def _denoise(model, out, *arguments):
    options = ["--output-dir", out, "--model", model, "--device", "cpu", "--views", "1"]
    return ["denoise", *arguments, *options]


@pytest.mark.parametrize("json", [False, True], ids=["text", "json"])
def test_denoise_counts_its_outputs_as_written_and_names_stdout_last(
    on_full_stdout, films, tiny_model, tmp_path, json
):
    out = tmp_path / "out"
    status, err = on_full_stdout(_denoise(tiny_model, out, *films, *(["--json"] if json else [])))
    assert status == 2
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png"]
    assert err[-2:] == [f"{PROG}: denoise: 2 written, 0 skipped (output exists), 0 failed", NAMED]
    assert [line for line in err if "error" in line] == [NAMED]  # no input blamed


def test_denoise_counts_a_failed_input_once(on_full_stdout, films, tiny_model, tmp_path):
    a, b = films
    bad = tmp_path / "in" / "bad.png"
    bad.write_bytes(b"not a png")
    status, err = on_full_stdout(_denoise(tiny_model, tmp_path / "out", a, bad, b))
    assert status == 2
    summary = f"{PROG}: denoise: 2 written, 0 skipped (output exists), 1 failed ({bad})"
    assert err[-2:] == [summary, NAMED]
    assert len([line for line in err if line.startswith(f"{PROG}: error: {bad}")]) == 1


@pytest.mark.parametrize("json", [False, True], ids=["text", "json"])
def test_metrics_names_stdout(on_full_stdout, png16, json):
    arguments = ["metrics", png16, png16, *(["--json"] if json else [])]
    assert on_full_stdout(arguments) == (2, [NAMED])


@pytest.mark.parametrize("json", [False, True], ids=["text", "json"])
def test_info_names_stdout(on_full_stdout, png16, json):
    assert on_full_stdout(["info", png16, *(["--json"] if json else [])]) == (2, [NAMED])


@pytest.mark.parametrize("json", [False, True], ids=["text", "json"])
def test_simulate_names_stdout_and_keeps_the_image_it_wrote(on_full_stdout, png16, tmp_path, json):
    output = tmp_path / "low.png"
    arguments = ["simulate", png16, "--dose", "0.5", "--photons", "5000", "--output", output]
    status, err = on_full_stdout([*arguments, *(["--json"] if json else [])])
    assert (status, err[-1]) == (2, NAMED)
    assert output.is_file()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_buffered_stdout_on_a_full_disk_is_named_and_the_status_kept(png16):
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    command = [sys.executable, "-m", "core.cli", "metrics", str(png16), str(png16)]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            command, cwd=ROOT, env=environment, stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert (done.returncode, done.stderr.splitlines()) == (2, [NAMED])  # not 120, no traceback
