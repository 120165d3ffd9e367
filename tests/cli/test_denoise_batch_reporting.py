"""A denoise batch as a script runs it: resumable, machine-readable, counted, any file name."""

import json
import os
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from core.cli import main

PROG = "xray-denoise"


@pytest.fixture
def films(tmp_path):
    """Three noisy 8-bit films a, b, c and a file that is no image."""
    rng = np.random.default_rng(1)
    paths = []
    for name in ("a", "b", "c"):
        paths.append(tmp_path / "in" / f"{name}.png")
        paths[-1].parent.mkdir(exist_ok=True)
        film = rng.normal(120, 8, (64, 64)).clip(0, 255).astype(np.uint8)
        Image.fromarray(film).save(paths[-1])
    bad = tmp_path / "in" / "bad.png"
    bad.write_bytes(b"not a png")
    return paths, bad


def _denoise(model, out, *arguments):
    options = ["--output-dir", str(out), "--model", str(model), "--device", "cpu", "--views", "1"]
    return main(["denoise", *map(str, arguments), *options])


def test_a_stopped_batch_is_finished_by_running_it_again_with_skip_existing(
    films, tiny_model, tmp_path, capsys
):
    (a, b, c), _ = films
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, a, b) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert _denoise(tiny_model, out, a, b, c, "--skip-existing") == 0
    captured = capsys.readouterr()
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "c.png"} == before
    assert (out / "c.png").is_file()
    assert [line.split(": ")[0] for line in captured.out.splitlines()] == [str(out / "c.png")]
    err = captured.err.splitlines()
    assert f"{PROG}: {a}: skipped (exists): {out / 'a.png'}" in err
    assert f"{PROG}: {b}: skipped (exists): {out / 'b.png'}" in err
    assert err[-1] == f"{PROG}: denoise: 1 written, 2 skipped (output exists), 0 failed"


def test_a_batch_ends_with_a_summary_that_names_the_failed(films, tiny_model, tmp_path, capsys):
    (a, b, _), bad = films
    assert _denoise(tiny_model, tmp_path / "out", a, bad, b) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"{PROG}: denoise: 2 written, 0 skipped (output exists), 1 failed ({bad})"


def test_json_gives_one_record_per_input_with_its_outcome(films, tiny_model, tmp_path, capsys):
    (a, b, _), bad = films
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, a) == 0
    capsys.readouterr()
    assert _denoise(tiny_model, out, a, b, bad, "--json", "--skip-existing") == 2
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["input"], r["status"]) for r in records] == [
        (str(a), "skipped"),
        (str(b), "ok"),
        (str(bad), "error"),
    ]
    skipped, done, failed = records
    assert skipped["output"] == str(out / "a.png") and skipped["seconds"] is None
    assert done["output"] == str(out / "b.png") and done["error"] is None
    assert done["noise_sigma"] > 0 and done["t_star"] > 0 and done["seconds"] >= 0
    assert done["residual_sigma"] is None or done["residual_sigma"] >= 0
    assert done["frame"] == 1 and done["device"].startswith("CPU")
    assert failed["output"] is None and str(bad) in failed["error"]
    assert set(failed) == set(done)


def test_threads_limit_torch_and_the_device_is_said_once(films, tiny_model, tmp_path, capsys):
    (a, b, _), _ = films
    threads = torch.get_num_threads()
    try:
        assert _denoise(tiny_model, tmp_path / "out", a, b, "--threads", "1") == 0
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "denoising on" in line] == [
        f"{PROG}: denoising on CPU (1 thread)"
    ]
    with pytest.raises(SystemExit) as stopped:
        _denoise(tiny_model, tmp_path / "out", a, "--threads", "0")
    assert stopped.value.code == 2
    assert "--threads: expected a whole number from 1, got '0'" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes")
def test_a_name_stdout_cannot_encode_neither_ends_the_batch_nor_goes_unreported(
    films, tiny_model, tmp_path, capsys
):
    (a, _, _), _ = films
    latin1 = tmp_path / "in" / os.fsdecode(b"R\xf6ntgen.png")  # as Linux hands it over
    latin1.write_bytes(a.read_bytes())
    z = tmp_path / "in" / "zz.png"
    z.write_bytes(a.read_bytes())
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, latin1, z) == 0  # capsys's stdout is strict UTF-8
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        str(out / "R\\udcf6ntgen.png"),
        str(out / "zz.png"),
    ]
    assert main(["info", str(latin1), str(z)]) == 0
    assert "R\\xf6ntgen.png" in capsys.readouterr().out  # the byte, as text_safe writes it
