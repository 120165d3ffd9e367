"""Run folders and default model names carry the time, never the data folder's name."""

import datetime
import re
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from core.noise import phantom_image
from xraygui.wizard import process as process_module
from xraygui.wizard import runs as runs_module
from xraygui.wizard.result_page import default_model_name
from xraygui.wizard.runs import (
    RunSpec,
    delete_run_folder,
    new_run_folder,
    read_run,
    scan_runs,
    write_run,
)
from xraygui.wizard.wizard import RESULT, RUN, TrainWizard

pytestmark = pytest.mark.gui

STAMP = re.compile(r"\d{8}-\d{6}")


@pytest.fixture
def fixed_now(monkeypatch):
    """Make every run folder begin at 2026-11-28 02:53:27."""
    now = datetime.datetime(2026, 11, 28, 2, 53, 27)
    monkeypatch.setattr(
        runs_module, "_dt", SimpleNamespace(datetime=SimpleNamespace(now=lambda: now))
    )


def _spec(folder, data):
    return RunSpec(data=data, folder=folder, steps=4, minutes=None, batch_size=2, patch_size=16)


def test_a_wizard_run_on_a_patients_folder_is_named_by_its_time(qtbot, tmp_path, monkeypatch):
    data = tmp_path / "Jane Doe"
    data.mkdir()
    for i in range(3):
        stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        Image.fromarray(stored.astype(np.uint8)).save(data / f"im{i}.png")
    monkeypatch.setattr(
        process_module, "training_command", lambda spec, *, resume: (sys.executable, ["-c", "pass"])
    )
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.show()
    with qtbot.waitSignal(wizard.data_page.scanned, timeout=20_000):
        wizard.data_page.set_folder(data)
    wizard.next()
    wizard.next()
    wizard.training_page.fresh.setChecked(True)
    wizard.training_page.by_steps.setChecked(True)
    wizard.next()
    assert wizard.currentId() == RUN
    process = wizard.run_page.process
    spec = process.spec
    assert STAMP.fullmatch(spec.folder.name), spec.folder.name
    assert read_run(spec.folder)[0].data == data  # the data folder is recorded as before
    qtbot.waitUntil(lambda: process.state == "finished", timeout=10_000)
    wizard.next()
    assert wizard.currentId() == RESULT
    assert wizard.result_page.name.text() == f"model-{spec.folder.name}"
    monkeypatch.setattr(wizard, "_settle_unsaved", lambda: True)  # no modal box at teardown
    wizard.reject()


def test_run_folders_begun_in_one_second_are_numbered(tmp_path, fixed_now):
    root = tmp_path / "runs"  # not there yet: created
    names = [new_run_folder(root).name for _ in range(3)]
    assert names == ["20261128-025327", "20261128-025327-2", "20261128-025327-3"]
    assert all((root / name).is_dir() for name in names)


def test_the_default_model_name_is_the_runs_time_and_free(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    old = _spec(tmp_path / "runs" / "20261128-025327-Jane Doe", tmp_path / "Jane Doe")
    assert default_model_name(old, models) == "model-20261128-025327"
    (models / "model-20261128-025327.safetensors").write_bytes(b"")
    (models / "model-20261128-025327-2.json").write_text("{}")  # a card alone takes it too
    new = _spec(tmp_path / "runs" / "20261128-025327-2", tmp_path / "Jane Doe")
    assert default_model_name(new, models) == "model-20261128-025327-3"
    assert default_model_name(_spec(tmp_path / "Doe", tmp_path / "Doe"), models) == "model"


def test_run_folders_named_after_their_data_by_earlier_versions_are_still_found(
    tmp_path, write_checkpoint
):
    root = tmp_path / "runs"
    specs = []
    for name, state in (("20261127-100000-Jane Doe", "paused"), ("20261128-025327", "paused")):
        (root / name).mkdir(parents=True)
        spec = _spec(root / name, tmp_path / "Jane Doe")
        write_run(spec, state)
        write_checkpoint(spec, 2)
        specs.append(spec)
    assert scan_runs(root).unfinished() == specs[::-1]  # newest first, old names and new
    finished = _spec(root / "20261126-090000-Jane Doe", tmp_path / "Jane Doe")
    finished.folder.mkdir()
    finished.output.write_bytes(b"weights")
    write_run(finished, "finished")
    assert scan_runs(root).unsaved() == [finished]


def test_deleting_a_run_folder_takes_all_it_holds_and_says_the_bytes(tmp_path):
    spec = _spec(tmp_path / "runs" / "20261128-025327", tmp_path / "Jane Doe")
    (spec.folder / "sub").mkdir(parents=True)
    spec.output.with_suffix(".log").write_bytes(b"x" * 1000)
    (spec.folder / "sub" / "more").write_bytes(b"y" * 24)
    assert delete_run_folder(spec) == 1024
    assert not spec.folder.exists() and (tmp_path / "runs").is_dir()
    assert delete_run_folder(spec) == 0  # gone already: nothing to say


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_a_run_folder_that_is_a_link_is_unlinked_not_emptied(tmp_path):
    elsewhere = tmp_path / "other disk" / "run"
    elsewhere.mkdir(parents=True)
    (elsewhere / "model.log").write_bytes(b"x" * 10)
    spec = _spec(tmp_path / "runs" / "20261128-025327", tmp_path / "Jane Doe")
    spec.folder.parent.mkdir(parents=True)
    spec.folder.symlink_to(elsewhere, target_is_directory=True)
    assert delete_run_folder(spec) == 0
    assert not spec.folder.is_symlink() and (elsewhere / "model.log").read_bytes() == b"x" * 10
