"""``--log-file`` never lands on the run's own files or its data; an overwrite starts a new log."""

import os
import stat
import sys

import pytest

from core.training.__main__ import main

pytestmark = pytest.mark.usefixtures("restore_logging")


def _given(image_folder, out):
    given = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    given += ["--batch-size", "2", "--patch-size", "16", "--val-every", "0", "--steps", "1"]
    return [*given, "--architecture", "tiny"]


@pytest.mark.parametrize(
    "name", ["m.safetensors", "m.json", "m.checkpoint.safetensors", "m.metrics.jsonl", "m.lock"]
)
def test_a_log_file_that_is_a_run_file_is_refused_before_anything_is_written(
    image_folder, tmp_path, capsys, name
):
    out = tmp_path / "run" / "m.safetensors"
    assert main([*_given(image_folder, out), "--log-file", str(out.with_name(name))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--log-file" in err[0] and name in err[0]
    assert not (tmp_path / "run").exists()


def test_a_log_file_in_the_data_folder_is_refused_and_the_image_left_as_it_is(
    image_folder, tmp_path, capsys
):
    image = image_folder / "png" / "im0.png"
    before = image.read_bytes(), image.stat().st_mode
    out = tmp_path / "m.safetensors"
    assert main([*_given(image_folder, out), "--log-file", str(image)]) == 2
    assert "data folder" in capsys.readouterr().err
    assert (image.read_bytes(), image.stat().st_mode) == before
    assert not out.exists() and not (image_folder / "png" / "new.log").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_existing_log_file_keeps_its_permissions(image_folder, tmp_path):
    log = tmp_path / "shared.log"
    log.write_text("")
    os.chmod(log, 0o644)
    out = tmp_path / "m.safetensors"
    assert main([*_given(image_folder, out), "--log-file", str(log)]) == 0
    assert stat.S_IMODE(log.stat().st_mode) == 0o644 and log.read_text()


def test_an_overwrite_run_starts_its_default_log_afresh(image_folder, tmp_path):
    out = tmp_path / "m.safetensors"
    assert main([*_given(image_folder, out), "--seed", "1"]) == 0
    assert main([*_given(image_folder, out), "--seed", "2", "--overwrite"]) == 0
    assert out.with_suffix(".log").read_text().count("parameters on cpu") == 1
