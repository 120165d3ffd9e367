"""A resumed run keeps the split its checkpoint stored, and refuses changed data."""

import json
import os
import shutil
from dataclasses import replace

import pytest
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from core.training.checkpoint import read_checkpoint
from core.training.loop import _prepare_data, train
from core.training.selection import DataChangedError, _fingerprint


@pytest.fixture
def run(image_folder, tiny_config, tmp_path):
    """A run stopped at step 2 of 4, on a copy of the image folder it may change."""
    folder = tmp_path / "data"
    shutil.copytree(image_folder, folder)
    config = replace(tiny_config, data=folder)
    train(config, callback=lambda state: state.step == 2)
    return config


def _split(config):
    return read_checkpoint(config.checkpoint_path).extra["split"]


def test_the_checkpoint_stores_the_split_and_the_files(run):
    split = _split(run)
    assert {path for path, _, _ in split["train"] + split["val"]} == set(split["files"])
    assert split["val"] and all(frame == 0 for _, frame, _ in split["val"])
    assert set(split["files"]) == {f"png/im{i}.png" for i in range(5)} | {
        "png/more/im5.png",
        "png/deep16.png",
    }
    assert len(split["fingerprint"]) == 64


def test_images_added_removed_or_changed_refuse_the_resume_in_one_line(run):
    png = run.data / "png"
    for i in range(5):
        shutil.copy(png / "im0.png", run.data / f"new{i}.png")
    (png / "im1.png").unlink()
    shutil.copy(png / "im3.png", png / "im2.png")  # another image under the same name
    with pytest.raises(DataChangedError) as refused:
        train(replace(run, resume=True))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"cannot resume {run.checkpoint_path}: the usable images ")
    assert "5 added (new0.png, new1.png, new2.png and 2 more)" in message
    assert "1 removed (png/im1.png)" in message
    assert "1 changed (png/im2.png)" in message
    assert read_checkpoint(run.checkpoint_path).step == 2  # nothing was trained


def test_a_resume_keeps_the_stored_patients_when_a_new_split_would_differ(run):
    stored = _split(run)
    # data.csv renamed its patients (not an image: the files are the same), so a split
    # made afresh holds out another patient than the run did.
    table = run.data / "data.csv"
    renamed = table.read_text().replace("p1,", "zz,")
    table.write_text(renamed)
    fresh = _prepare_data(run).selection
    assert sorted(r.path.name for r in fresh.val) != sorted(
        path.rsplit("/", 1)[1] for path, _, _ in stored["val"]
    )
    train(replace(run, resume=True))
    assert read_checkpoint(run.checkpoint_path).step == 4
    assert _split(run) == stored


def _without_split(path):
    """Rewrite a checkpoint as one written before splits were stored."""
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
    extra = json.loads(metadata["extra"])
    for key in ("split", "interval_losses", "time_budget"):
        extra.pop(key, None)
    save_file(load_file(path), path, metadata={**metadata, "extra": json.dumps(extra)})


def test_an_older_checkpoint_resumes_with_a_warning(run, caplog):
    _without_split(run.checkpoint_path)
    assert "split" not in read_checkpoint(run.checkpoint_path).extra
    with caplog.at_level("WARNING", logger="core.training.loop"):
        train(replace(run, resume=True))
    assert read_checkpoint(run.checkpoint_path).step == 4
    assert "predates stored splits: the split is made afresh" in caplog.text
    assert "split" in read_checkpoint(run.checkpoint_path).extra  # stored from now on


def test_a_byte_identical_copy_with_new_modification_times_resumes(run, tmp_path):
    copy = tmp_path / "copied"
    shutil.copytree(run.data, copy, copy_function=shutil.copyfile)  # new mtimes
    for path in copy.rglob("*"):
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    stored = _split(run)
    train(replace(run, data=copy, resume=True))
    assert read_checkpoint(run.checkpoint_path).step == 4
    assert _split(run)["files"] == stored["files"]


def _with_times(config):
    """Rewrite the checkpoint's file list as one written before contents were hashed."""
    path = config.checkpoint_path
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
    extra = json.loads(metadata["extra"])
    files = {}
    for name, (size, _) in extra["split"]["files"].items():
        files[name] = [size, (config.data / name).stat().st_mtime_ns]
    extra["split"]["files"] = files
    extra["split"]["fingerprint"] = _fingerprint(files)
    save_file(load_file(path), path, metadata={**metadata, "extra": json.dumps(extra)})


def test_a_checkpoint_with_modification_times_resumes_on_the_same_files(run):
    _with_times(run)
    train(replace(run, resume=True))
    assert read_checkpoint(run.checkpoint_path).step == 4


def test_a_checkpoint_with_modification_times_refuses_a_touched_file(run):
    _with_times(run)
    path = run.data / "png" / "im2.png"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with pytest.raises(DataChangedError, match=r"1 changed \(png/im2.png\)"):
        train(replace(run, resume=True))
